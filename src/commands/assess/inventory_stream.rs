//! Reading, parsing and hashing `inventory.json` while the feeds load.
//!
//! A fleet's inventory is a hundred megabytes or more, and parsing it is the
//! longest sequential step of `assess`. So the file is read and parsed on a
//! thread of its own from the start, hashed on another, and every host
//! parsed is queued for the assessor, which starts taking them as soon as
//! the advisory index is built. Parsed hosts borrow their strings from the
//! file's bytes, which therefore live in a slot owned by the caller, outside
//! the threads' scope.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{OnceLock, mpsc};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Instant;

use crate::artifact::{self, ArtifactMeta, inventory};
use crate::output::UserError;
use crate::risk::host::{HostView, stream_hosts};

/// Where the inventory's bytes live while hosts borrow from them.
pub type InventoryBytes = OnceLock<io::Result<Vec<u8>>>;

/// The threads reading the inventory; [`InventoryStream::finish`] waits
/// for them.
pub struct InventoryStream<'scope> {
    parser: ScopedJoinHandle<'scope, Result<(), String>>,
    hasher: ScopedJoinHandle<'scope, Option<String>>,
}

impl<'scope> InventoryStream<'scope> {
    /// Starts reading `file` into `bytes`; hosts arrive on the returned
    /// receiver in inventory order, and it closes when parsing ends.
    pub fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        file: File,
        bytes: &'env InventoryBytes,
        started: Instant,
    ) -> (Self, mpsc::Receiver<HostView<'env>>) {
        let (hosts_to_assess, parsed_hosts) = mpsc::channel();
        let (bytes_to_hash, bytes_for_digest) = mpsc::sync_channel(1);

        let parser = scope.spawn(move || {
            let bytes = bytes.get_or_init(|| read_whole(file));
            let bytes = bytes.as_ref().map_err(|error| format!("reading it: {error}"))?;
            tracing::info!(elapsed = ?started.elapsed(), "inventory read");
            let _ = bytes_to_hash.send(bytes.as_slice());
            stream_hosts(bytes, &check_inventory_meta, &mut |host| {
                let _ = hosts_to_assess.send(host);
            })
            .map_err(|error| error.to_string())?;
            tracing::info!(elapsed = ?started.elapsed(), "inventory parsed");
            Ok(())
        });
        let hasher = scope.spawn(move || bytes_for_digest.recv().ok().map(artifact::sha256_hex));

        (InventoryStream { parser, hasher }, parsed_hosts)
    }

    /// Waits for the threads; the inventory's sha256, or why it could not
    /// be read whole.
    pub fn finish(self, path: &Path) -> anyhow::Result<String> {
        let unusable = |error: String| {
            UserError::usage(format!("`{}` is not a usable inventory: {error}", path.display()))
        };
        let parsed = self.parser.join().unwrap_or_else(|_| Err("its parser panicked".into()));
        parsed.map_err(unusable)?;
        let digest = self.hasher.join().ok().flatten();
        Ok(digest.ok_or_else(|| unusable("it could not be hashed".into()))?)
    }
}

/// Reads a whole file; `File::read_to_end` sizes the buffer from the
/// file's metadata, so it is allocated once.
fn read_whole(mut file: File) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Refuses anything but an inventory of the schema version this build reads.
fn check_inventory_meta(meta: &ArtifactMeta) -> Result<(), String> {
    if meta.kind == "inventory" && meta.schema_version == inventory::SCHEMA_VERSION {
        return Ok(());
    }
    Err(format!(
        "it is an `{}` artifact of schema version {}, expected `inventory` version {}",
        meta.kind,
        meta.schema_version,
        inventory::SCHEMA_VERSION
    ))
}
