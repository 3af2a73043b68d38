//! Bounded capture of a command's output.
//!
//! A host that prints gigabytes must not exhaust the controller's memory:
//! each stream keeps at most `limit` bytes, counts the rest, and says it was
//! truncated.

/// Output of one stream, cut at a limit.
#[derive(Debug, Clone, Default)]
pub struct BoundedBuffer {
    bytes: Vec<u8>,
    limit: usize,
    dropped: u64,
}

impl BoundedBuffer {
    pub fn new(limit: usize) -> Self {
        BoundedBuffer { bytes: Vec::new(), limit, dropped: 0 }
    }

    /// Appends what fits and counts what does not.
    pub fn push(&mut self, chunk: &[u8]) {
        let room = self.limit.saturating_sub(self.bytes.len());
        let kept = chunk.len().min(room);
        self.bytes.extend_from_slice(&chunk[..kept]);
        self.dropped += (chunk.len() - kept) as u64;
    }

    pub fn is_truncated(&self) -> bool {
        self.dropped > 0
    }

    /// Bytes that did not fit.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_prefix_and_counts_the_rest() {
        let mut buffer = BoundedBuffer::new(5);
        buffer.push(b"abc");
        buffer.push(b"defgh");
        assert!(buffer.is_truncated());
        assert_eq!(buffer.dropped(), 3);
        assert_eq!(buffer.into_bytes(), b"abcde");
    }

    #[test]
    fn exact_fit_is_not_truncated() {
        let mut buffer = BoundedBuffer::new(3);
        buffer.push(b"abc");
        assert!(!buffer.is_truncated());
    }
}
