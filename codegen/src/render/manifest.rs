//! The generated crate's manifest: the template, the features of the spec's tags put into
//! it, and the one edit made to it outside generation (a package name of its own).

use super::features::Features;
use crate::runtime::LIBRARY_MANIFEST as TEMPLATE;
use crate::error::Error;

/// [`TEMPLATE`] with the crate's version and the features of the spec's tags in place of its
/// three markers.
pub(crate) fn render(features: &Features, version: &str) -> Result<String, Error> {
    const VERSION: &str = "\nversion = \"@version@\"\n";
    const DEFAULT: &str = "\"rustls\"@tags@]";
    const SECTION: &str = "@tag-features@\n";
    if !TEMPLATE.contains(VERSION) || !TEMPLATE.contains(DEFAULT) || !TEMPLATE.contains(SECTION) {
        return Err(Error::Render {
            template: "Cargo.toml",
            item: "the crate manifest".to_owned(),
            message: format!("the template lost one of its markers `{VERSION}`, `{DEFAULT}` and `{SECTION}`"),
        });
    }
    let (default, section) = features.manifest();
    Ok(TEMPLATE
        .replacen(VERSION, &format!("\nversion = \"{version}\"\n"), 1)
        .replacen(DEFAULT, &format!("\"rustls\"{default}]"), 1)
        .replacen(SECTION, &section, 1))
}

/// The package name the template gives the crate.
pub const PACKAGE: &str = "atlas-backup";

/// `manifest` (a generated crate's `Cargo.toml`) with the package named `package`; the
/// library keeps its name `atlas_backup`, so code that uses the crate is unchanged.
///
/// Generated crates built side by side need this: members of one workspace must have
/// different names, and cargo's fingerprint of a path package does not include where it
/// is, so in a shared target directory a second crate of the same name would be taken for
/// the first, already built. `None` when `manifest` does not name the package [`PACKAGE`].
pub fn rename_package(manifest: &str, package: &str) -> Option<String> {
    let name = format!("name = \"{PACKAGE}\"");
    manifest
        .contains(&name)
        .then(|| manifest.replacen(&name, &format!("name = \"{package}\""), 1) + "\n[lib]\nname = \"atlas_backup\"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_the_package_and_keeps_the_library_name() {
        let renamed = rename_package(TEMPLATE, "atlas-backup-whole").expect("the template names the package");
        assert!(renamed.contains("[package]\nname = \"atlas-backup-whole\"\n"), "{renamed}");
        assert!(!renamed.contains(&format!("name = \"{PACKAGE}\"")), "{renamed}");
        assert!(renamed.ends_with("[lib]\nname = \"atlas_backup\"\n"), "{renamed}");
        assert_eq!(rename_package("[package]\nname = \"other\"\n", "x"), None);
    }
}
