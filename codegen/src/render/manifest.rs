//! The generated crates' manifests: the library's template with the features of the spec's
//! tags put into it, the `[package]` table of each crate (what crates.io and docs.rs show of
//! it, decided here once for both), and the one edit made to a manifest outside generation
//! (a package name of its own).

use super::features::Features;
use crate::error::Error;
use crate::runtime::LIBRARY_MANIFEST as TEMPLATE;

/// The package name the template gives the crate.
pub const PACKAGE: &str = "atlas-backup";

/// The command line's package name.
pub const CLI_PACKAGE: &str = "atlas-backup-cli";

/// Where the project lives: the `repository` and `homepage` of both crates (a macro, so
/// that the command line's documentation link can be made of it with `concat!`).
macro_rules! repository {
    () => {
        "https://github.com/atlas-backup/atlas-backup"
    };
}
const REPOSITORY: &str = repository!();

/// Apache-2.0, as the `LICENSE` file at the repository's root says (a copy is written into
/// each crate, so that the package carries its licence).
const LICENSE: &str = "Apache-2.0";

/// What crates.io shows of one generated crate, besides what both share.
struct Package {
    name: &'static str,
    description: &'static str,
    documentation: &'static str,
    /// At most five, as crates.io takes.
    keywords: &'static [&'static str],
    /// crates.io's category slugs.
    categories: &'static [&'static str],
}

const LIBRARY: Package = Package {
    name: PACKAGE,
    description: "Typed async client of the MongoDB Atlas Administration API backup endpoints",
    documentation: "https://docs.rs/atlas-backup",
    keywords: &["mongodb", "atlas", "backup", "api-client", "openapi"],
    categories: &["api-bindings", "web-programming::http-client", "database"],
};

const CLI: Package = Package {
    name: CLI_PACKAGE,
    description: "Command line of the MongoDB Atlas Administration API backup endpoints",
    // Its reference is the list of commands and flags, which the package also carries.
    documentation: concat!(repository!(), "/blob/main/generated/cli/COMMANDS.md"),
    keywords: &["mongodb", "atlas", "backup", "restore", "cli"],
    categories: &["command-line-utilities", "database"],
};

/// Where a manifest template takes its `[package]` table.
const PACKAGE_MARKER: &str = "@package@\n";

/// The `[package]` table's lines (without the header) of `package` at `version`.
fn package_table(package: &Package, version: &str) -> String {
    let list = |items: &[&str]| items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
    format!(
        "name = \"{}\"\nversion = \"{version}\"\nedition = \"2024\"\nrust-version = \"1.88\"\ndescription = \"{}\"\n\
         license = \"{LICENSE}\"\nreadme = \"README.md\"\nrepository = \"{REPOSITORY}\"\nhomepage = \"{REPOSITORY}\"\n\
         documentation = \"{}\"\nkeywords = [{}]\ncategories = [{}]\n",
        package.name,
        package.description,
        package.documentation,
        list(package.keywords),
        list(package.categories),
    )
}

fn lost_markers(template: &'static str, markers: &[&str]) -> Error {
    let list = markers.iter().map(|m| format!("`{}`", m.trim_end())).collect::<Vec<_>>().join(", ");
    Error::Render { template, item: "the crate manifest".to_owned(), message: format!("the template lost one of its markers {list}") }
}

/// [`TEMPLATE`] with the crate's `[package]` table at `version`, and the features of the
/// spec's tags and those docs.rs builds with, in place of its markers.
pub(crate) fn render(features: &Features, version: &str) -> Result<String, Error> {
    const DEFAULT: &str = "\"rustls\"@tags@]";
    const SECTION: &str = "@tag-features@\n";
    const DOCS_RS: &str = "@docs-rs-features@";
    let markers = [PACKAGE_MARKER, DEFAULT, SECTION, DOCS_RS];
    if !markers.iter().all(|m| TEMPLATE.contains(m)) {
        return Err(lost_markers("Cargo.toml", &markers));
    }
    let (default, section) = features.manifest();
    Ok(TEMPLATE
        .replacen(PACKAGE_MARKER, &package_table(&LIBRARY, version), 1)
        .replacen(DEFAULT, &format!("\"rustls\"{default}]"), 1)
        .replacen(SECTION, &section, 1)
        .replacen(DOCS_RS, &features.docs_rs(), 1))
}

/// The command line's manifest `template` (its dependencies) with its `[package]` table at
/// `version`, and the library required at exactly that version: the two crates are
/// generated together, and `cargo package` and crates.io need the version beside the path.
pub(crate) fn render_cli(template: &'static str, version: &str) -> Result<String, Error> {
    const LIBRARY_DEPENDENCY: &str = "atlas-backup = { path = \"..\" }\n";
    if !template.contains(PACKAGE_MARKER) || !template.contains(LIBRARY_DEPENDENCY) {
        return Err(lost_markers("cli/Cargo.toml", &[PACKAGE_MARKER, LIBRARY_DEPENDENCY]));
    }
    Ok(template.replacen(PACKAGE_MARKER, &package_table(&CLI, version), 1).replacen(
        LIBRARY_DEPENDENCY,
        &format!("{PACKAGE} = {{ version = \"={version}\", path = \"..\" }}\n"),
        1,
    ))
}

/// `manifest` (a generated crate's `Cargo.toml`) with the package named `package`; the
/// library keeps its name `atlas_backup`, so code that uses the crate is unchanged.
///
/// Generated crates built side by side need this: members of one workspace must have
/// different names, and cargo's fingerprint of a path package does not include where it
/// is, so in a shared target directory a second crate of the same name would be taken for
/// the first, already built. `None` when `manifest` does not name the package [`PACKAGE`].
pub fn rename_package(manifest: &str, package: &str) -> Option<String> {
    let name = format!("name = \"{PACKAGE}\"");
    manifest.contains(&name).then(|| manifest.replacen(&name, &format!("name = \"{package}\""), 1) + "\n[lib]\nname = \"atlas_backup\"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_the_package_and_keeps_the_library_name() {
        let manifest = render(&Features::default(), "1.2.3").expect("the template renders");
        let renamed = rename_package(&manifest, "atlas-backup-whole").expect("the manifest names the package");
        assert!(renamed.contains("[package]\nname = \"atlas-backup-whole\"\n"), "{renamed}");
        assert!(!renamed.contains(&format!("name = \"{PACKAGE}\"")), "{renamed}");
        assert!(renamed.ends_with("[lib]\nname = \"atlas_backup\"\n"), "{renamed}");
        assert_eq!(rename_package("[package]\nname = \"other\"\n", "x"), None);
    }

    /// crates.io refuses more than five keywords, a keyword over 20 characters or not of
    /// letters, digits, `-` and `_`, and a category it does not know (these are its slugs).
    #[test]
    fn keywords_and_categories_are_ones_crates_io_takes() {
        const KNOWN: &[&str] = &["api-bindings", "web-programming::http-client", "database", "command-line-utilities"];
        for package in [&LIBRARY, &CLI] {
            assert!(package.keywords.len() <= 5, "{}", package.name);
            for k in package.keywords {
                assert!(k.len() <= 20 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{k}");
            }
            for c in package.categories {
                assert!(KNOWN.contains(c), "{c}");
            }
        }
    }

    #[test]
    fn both_manifests_are_publishable_and_the_cli_requires_the_library_at_its_version() {
        let library: toml::Table = render(&Features::default(), "4.5.6").expect("renders").parse().expect("TOML");
        // The command line's template beyond these lines is `render::cli`'s (its dependencies).
        const CLI_TEMPLATE: &str = "[package]\n@package@\n[dependencies]\natlas-backup = { path = \"..\" }\n";
        let cli: toml::Table = render_cli(CLI_TEMPLATE, "4.5.6").expect("renders").parse().expect("TOML");
        for (manifest, name) in [(&library, PACKAGE), (&cli, CLI_PACKAGE)] {
            let package = manifest["package"].as_table().expect("[package]");
            assert_eq!(package["name"].as_str(), Some(name));
            assert_eq!(package["version"].as_str(), Some("4.5.6"), "{name}");
            assert_eq!(package.get("publish"), None, "{name}: cargo packages the two together only when both may be published");
            for key in ["license", "readme", "repository", "homepage", "documentation", "keywords", "categories", "description"] {
                assert!(package.contains_key(key), "{name} has no {key}");
            }
        }
        let dependency = &cli["dependencies"][PACKAGE];
        assert_eq!(dependency["version"].as_str(), Some("=4.5.6"));
        assert_eq!(dependency["path"].as_str(), Some(".."));
    }

    #[test]
    fn a_template_that_lost_a_marker_is_an_error_not_a_wrong_manifest() {
        let err = render_cli("[package]\nname = \"x\"\n", "1.0.0").expect_err("no markers");
        assert!(err.to_string().contains("@package@"), "{err}");
    }
}
