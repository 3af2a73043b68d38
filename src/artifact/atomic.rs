//! Atomic file replacement: temp file in the same directory, fsync, rename.

use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::mpsc;

/// Writes `bytes` to `path` so that readers see either the old file or the
/// complete new one, never a prefix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with(path, |writer| writer.write_all(bytes))
}

/// Replaces `path` with what `produce` writes, atomically. The temp file
/// lives beside the target so the rename cannot cross file systems, and
/// the directory is synced so the rename itself survives a crash.
///
/// `produce` writes into a buffer whose full chunks a second thread hands
/// to the kernel, so serialising a large artifact and copying it into the
/// page cache overlap instead of taking turns, and the artifact never has
/// to exist in memory whole.
pub fn write_atomically_with(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".patchpilot-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o644))
        .tempfile_in(directory)?;

    let file = temp.as_file();
    std::thread::scope(|scope| {
        let (chunks, received) = mpsc::sync_channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
        let writer = scope.spawn(move || -> io::Result<()> {
            let mut file = file;
            for chunk in received {
                file.write_all(&chunk)?;
            }
            Ok(())
        });
        let mut sender =
            ChunkSender { chunk: Vec::with_capacity(CHUNK_BYTES), chunks: Some(chunks) };
        let produced = produce(&mut sender).and_then(|()| sender.flush());
        drop(sender);
        let written = writer.join().unwrap_or_else(|_| Err(io::Error::other("writer panicked")));
        produced.and(written)
    })?;

    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|error| error.error)?;
    if let Ok(dir) = std::fs::File::open(directory) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Bytes handed to the writer thread at a time.
const CHUNK_BYTES: usize = 1 << 20;
/// Full chunks waiting for the writer before the producer blocks.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Collects bytes into chunks and sends each full one to the writer thread.
struct ChunkSender {
    chunk: Vec<u8>,
    /// `None` once the writer has gone away (it failed; its error is kept).
    chunks: Option<mpsc::SyncSender<Vec<u8>>>,
}

impl ChunkSender {
    fn send_chunk(&mut self) -> io::Result<()> {
        let full = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_BYTES));
        let sent = self.chunks.as_ref().is_some_and(|chunks| chunks.send(full).is_ok());
        if sent {
            return Ok(());
        }
        self.chunks = None;
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "the file writer stopped"))
    }
}

impl Write for ChunkSender {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.chunk.extend_from_slice(bytes);
        if self.chunk.len() >= CHUNK_BYTES {
            self.send_chunk()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        self.send_chunk()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("inventory.json");
        write_atomically(&target, b"old").unwrap();
        write_atomically(&target, b"new content").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new content");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "temp files left behind: {names:?}");
    }

    #[test]
    fn streams_content_larger_than_one_chunk_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("assessment.json");
        let content: Vec<u8> =
            (0..3 * CHUNK_BYTES + 17).map(|i| u8::try_from(i % 251).unwrap()).collect();

        write_atomically_with(&target, |writer| {
            content.chunks(1000).try_for_each(|piece| writer.write_all(piece))
        })
        .unwrap();

        assert_eq!(std::fs::read(&target).unwrap(), content);
    }

    #[test]
    fn a_failing_producer_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("inventory.json");
        write_atomically(&target, b"previous").unwrap();

        let result = write_atomically_with(&target, |writer| {
            writer.write_all(&vec![b'x'; 2 * CHUNK_BYTES])?;
            Err(io::Error::other("serialisation failed"))
        });

        assert!(result.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"previous");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "temp file left behind");
    }

    #[test]
    fn failed_write_keeps_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("plan.json");
        write_atomically(&target, b"previous").unwrap();
        let missing_dir = dir.path().join("absent").join("plan.json");
        assert!(write_atomically(&missing_dir, b"x").is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"previous");
    }
}
