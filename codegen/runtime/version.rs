//! API versions of operations that Atlas serves in more than one version.
//!
//! Such a builder carries its version as a type parameter: it starts at the newest version,
//! `.api_version(OtherVersion)` switches it, and `send()` then decodes into that version's
//! own answer type. Only the versions the spec lists implement [`ApiVersion`].

/// One version of one operation.
pub trait ApiVersion: sealed::Sealed + Clone + Copy + std::fmt::Debug + Default {
    /// The media type sent as `Accept` (and `Content-Type` for a body).
    const MEDIA_TYPE: &'static str;
    /// What this version answers.
    type Output: serde::de::DeserializeOwned;
}

pub(crate) mod sealed {
    /// Keeps [`ApiVersion`](super::ApiVersion) to the versions the spec lists.
    pub trait Sealed {}
}
