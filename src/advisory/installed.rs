//! What matching needs to know about an installed package, whichever type
//! holds it: the inventory's owned [`Package`], or a view borrowing from the
//! inventory's text when a whole fleet is parsed at once.

use crate::artifact::inventory::Package;

/// An installed package as matching sees it.
pub trait InstalledPackage {
    fn name(&self) -> &str;
    fn version(&self) -> &str;
    /// The source package, when it differs from the name.
    fn source_name(&self) -> Option<&str>;
    /// The source version, when it differs from the version.
    fn source_version(&self) -> Option<&str>;
}

impl InstalledPackage for Package {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> &str {
        &self.version
    }

    fn source_name(&self) -> Option<&str> {
        self.source_name.as_deref()
    }

    fn source_version(&self) -> Option<&str> {
        self.source_version.as_deref()
    }
}
