//! Byte strings kept in an unnamed temporary file instead of memory.
//!
//! A batch of a million articles is gigabytes of text, most of which is read
//! once (to normalise it) and again only for the few pairs that are aligned.
//! Ingest therefore moves the texts of a batch too big to hold to a
//! [`Spill`]: an unlinked file in the temporary directory (`TMPDIR`) that the
//! system removes when the run ends, read back by offset. The pipeline
//! spills that batch's shingle sets and anchors the same way. The operating
//! system's page cache keeps it in memory while there is room, so reading a
//! text back is a copy, not a disk seek, on most machines.
//!
//! A text that is already in a file ingest can read again (a JSONL file on
//! disk, not compressed) is not copied at all: it stays an [`Input`] and a
//! [`Place`] in that file (where it is, and the hash of the bytes there),
//! and is read, checked and decoded again where it is
//! ([`Text::Input`]). At a million articles, the copy cost more time than
//! all of ingest's parsing.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Appends are buffered up to this many bytes before they are written.
const WRITE_BUFFER: usize = 1 << 20;

/// Where one byte string lives in a [`Spill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    offset: u64,
    len: u32,
}

impl Span {
    /// The `len` bytes at `offset`.
    fn new(offset: u64, len: u32) -> Span {
        Span { offset, len }
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// An append-only store of byte strings in an unlinked temporary file.
/// Appends and reads may come from any thread.
#[derive(Debug)]
pub struct Spill {
    file: File,
    /// Appended, not yet written.
    pending: Mutex<Pending>,
    /// Held while a full buffer is written, so that writes are made in
    /// order, without holding up appends; between writes it keeps the
    /// spare buffer, which the next full one is swapped with.
    writing: Mutex<Vec<u8>>,
    /// Bytes of the file written so far (everything before is readable).
    written: AtomicU64,
}

/// A [`Spill`]'s appended bytes not yet handed to the file, and where in
/// the file they go.
#[derive(Debug, Default)]
struct Pending {
    bytes: Vec<u8>,
    at: u64,
}

impl Pending {
    /// Where its bytes go in the file; what is appended next goes after
    /// them, since they are about to be written.
    fn hand_over(&mut self) -> u64 {
        let at = self.at;
        self.at += self.bytes.len() as u64;
        at
    }
}

/// Locks `m`; a thread that panicked holding it left nothing half-made
/// (each step under these locks either happens or not).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Spill {
    /// A new, empty store in the temporary directory.
    pub fn new() -> io::Result<Spill> {
        Ok(Spill {
            file: tempfile::tempfile()?,
            pending: Mutex::new(Pending::default()),
            writing: Mutex::new(Vec::new()),
            written: AtomicU64::new(0),
        })
    }

    /// Appends `bytes` (at most 4 GiB) and returns where they are.
    pub fn put(&self, bytes: &[u8]) -> io::Result<Span> {
        self.put_with(bytes.len(), |buf| buf.extend_from_slice(bytes))
    }

    /// Appends the `len` bytes that `fill` appends to the buffer it is given.
    fn put_with(&self, len: usize, fill: impl FnOnce(&mut Vec<u8>)) -> io::Result<Span> {
        let len = u32::try_from(len)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "more than 4 GiB"))?;
        let mut pending = lock(&self.pending);
        let offset = pending.at + pending.bytes.len() as u64;
        fill(&mut pending.bytes);
        if pending.bytes.len() >= WRITE_BUFFER {
            // The full buffer is written once the write before it is done,
            // and other threads append to the spare meanwhile.
            let mut full = lock(&self.writing);
            let at = pending.hand_over();
            std::mem::swap(&mut *full, &mut pending.bytes);
            drop(pending);
            self.write(&mut full, at)?;
        }
        Ok(Span { offset, len })
    }

    /// Writes `bytes` (taken from the pending ones, all that come before
    /// them written) at `at`, with the `writing` lock held, and empties
    /// them.
    fn write(&self, bytes: &mut Vec<u8>, at: u64) -> io::Result<()> {
        let written = self.file.write_all_at(bytes, at);
        // A failed write fails the run: what it held is not readable, and
        // nothing after it is said to be either.
        if written.is_ok() && self.written.load(Ordering::Acquire) == at {
            self.written
                .store(at + bytes.len() as u64, Ordering::Release);
        }
        bytes.clear();
        written
    }

    /// Appends 64-bit words (little-endian) and returns where they are.
    pub fn put_words(&self, words: &[u64]) -> io::Result<Span> {
        self.put_with(words.len() * 8, |buf| {
            if cfg!(target_endian = "little") {
                buf.extend_from_slice(bytemuck::cast_slice(words));
            } else {
                buf.extend(words.iter().flat_map(|w| w.to_le_bytes()));
            }
        })
    }

    /// The 64-bit words at `span` (one [`Spill::put_words`] call's), read
    /// straight into the words' memory: verification reads sets back in
    /// the millions.
    pub fn get_words(&self, span: Span) -> io::Result<Vec<u64>> {
        let mut words = vec![0u64; Spill::words_in(span)];
        self.get_words_into(span, &mut words)?;
        Ok(words)
    }

    /// The number of 64-bit words at `span`.
    pub fn words_in(span: Span) -> usize {
        span.len() / 8
    }

    /// [`Spill::get_words`] into `out`, which holds [`Spill::words_in`]
    /// words.
    pub fn get_words_into(&self, span: Span, out: &mut [u64]) -> io::Result<()> {
        self.read_at(span.offset, bytemuck::cast_slice_mut(out))?;
        for w in out {
            *w = u64::from_le(*w);
        }
        Ok(())
    }

    /// Appends `(key, value)` entries (little-endian, [`Key::BYTES`] and 4
    /// bytes each) and returns where they are.
    pub fn put_keyed<K: Key, V: Word32>(&self, entries: &[(K, V)]) -> io::Result<Span> {
        self.put_with(entries.len() * (K::BYTES + 4), |buf| {
            for &(k, v) in entries {
                k.push_to(buf);
                buf.extend_from_slice(&v.to_word().to_le_bytes());
            }
        })
    }

    /// The number of [`Spill::put_keyed`] entries with keys `K` at `span`.
    pub fn keyed_in<K: Key>(span: Span) -> usize {
        span.len() / (K::BYTES + 4)
    }

    /// The entries at `span` (one [`Spill::put_keyed`] call's), read
    /// through a buffer each thread keeps.
    pub fn get_keyed<K: Key, V: Word32>(&self, span: Span) -> io::Result<Vec<(K, V)>> {
        self.with_bytes(span, |bytes| {
            bytes.chunks_exact(K::BYTES + 4).map(keyed).collect()
        })
    }

    /// [`Spill::get_keyed`] into `out`, which holds [`Spill::keyed_in`]
    /// entries.
    pub fn get_keyed_into<K: Key, V: Word32>(
        &self,
        span: Span,
        out: &mut [(K, V)],
    ) -> io::Result<()> {
        self.with_bytes(span, |bytes| {
            for (c, to) in bytes.chunks_exact(K::BYTES + 4).zip(out) {
                *to = keyed(c);
            }
        })
    }

    /// `take(bytes)` of the bytes at `span`, read into a buffer each thread
    /// keeps.
    fn with_bytes<R>(&self, span: Span, take: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
        thread_local! {
            static BYTES: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        BYTES.with_borrow_mut(|bytes| {
            bytes.resize(span.len(), 0);
            self.read_at(span.offset, bytes)?;
            let taken = take(bytes);
            // One very long document's entries are not kept for good.
            if bytes.capacity() > KEPT_BUFFER_BYTES {
                *bytes = Vec::new();
            }
            Ok(taken)
        })
    }

    /// Bytes appended so far.
    pub fn len(&self) -> u64 {
        let pending = lock(&self.pending);
        pending.at + pending.bytes.len() as u64
    }

    /// Whether nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `each` on everything appended so far, in order, in chunks of
    /// `chunk` bytes (the last may be shorter).
    pub fn for_each_chunk(&self, chunk: usize, mut each: impl FnMut(&[u8])) -> io::Result<()> {
        let end = self.len();
        let mut buf = vec![0u8; chunk.max(1)];
        let mut at = 0u64;
        while at < end {
            let n = (end - at).min(buf.len() as u64) as usize;
            self.read_at(at, &mut buf[..n])?;
            each(&buf[..n]);
            at += n as u64;
        }
        Ok(())
    }

    /// The bytes at `span`.
    pub fn get(&self, span: Span) -> io::Result<Vec<u8>> {
        let mut out = vec![0u8; span.len()];
        self.read_at(span.offset, &mut out)?;
        Ok(out)
    }

    /// Fills `out` from `offset`, writing out what is still buffered first.
    pub fn read_at(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let end = offset + out.len() as u64;
        if end > self.written.load(Ordering::Acquire) {
            // The bytes are being written, or still pending: once a write
            // in flight is done, the pending ones are written too if need be.
            let mut pending = lock(&self.pending);
            let _writing = lock(&self.writing);
            if end > self.written.load(Ordering::Acquire) {
                let at = pending.hand_over();
                self.write(&mut pending.bytes, at)?;
            }
            if end > self.written.load(Ordering::Acquire) {
                return Err(io::Error::other("an earlier write to the file failed"));
            }
        }
        self.file.read_exact_at(out, offset)
    }
}

/// Most bytes a thread's [`Spill::get_keyed`] buffer keeps between reads.
const KEPT_BUFFER_BYTES: usize = 1 << 20;

/// The [`Spill::put_keyed`] entry in `bytes` (all of them).
#[inline]
fn keyed<K: Key, V: Word32>(bytes: &[u8]) -> (K, V) {
    let (k, v) = bytes.split_at(K::BYTES);
    (
        K::from_bytes(k),
        V::from_word(u32::from_le_bytes(v.try_into().expect("4 bytes"))),
    )
}

/// The key of a [`Spill::put_keyed`] entry: a term's hash, or its number.
pub trait Key: Copy {
    /// Its size in the file.
    const BYTES: usize;
    /// Appends its bytes (little-endian) to `out`.
    fn push_to(self, out: &mut Vec<u8>);
    /// The key of these [`Key::BYTES`] bytes.
    fn from_bytes(bytes: &[u8]) -> Self;
}

impl Key for u64 {
    const BYTES: usize = 8;
    fn push_to(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn from_bytes(bytes: &[u8]) -> u64 {
        u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
    }
}

impl Key for u32 {
    const BYTES: usize = 4;
    fn push_to(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn from_bytes(bytes: &[u8]) -> u32 {
        u32::from_le_bytes(bytes.try_into().expect("4 bytes"))
    }
}

/// A 4-byte value kept after a [`Key`] by [`Spill::put_keyed`]: a term's
/// count or weight.
pub trait Word32: Copy {
    /// Its bits.
    fn to_word(self) -> u32;
    /// The value of these bits.
    fn from_word(w: u32) -> Self;
}

impl Word32 for u32 {
    fn to_word(self) -> u32 {
        self
    }
    fn from_word(w: u32) -> u32 {
        w
    }
}

impl Word32 for f32 {
    fn to_word(self) -> u32 {
        self.to_bits()
    }
    fn from_word(w: u32) -> f32 {
        f32::from_bits(w)
    }
}

/// A value of fixed size that [`Records`] keeps in a file.
pub trait Record: Sized {
    /// Its size in the file.
    const BYTES: usize;
    /// Appends its [`Record::BYTES`] bytes.
    fn write(&self, out: &mut Vec<u8>);
    /// The value of `bytes` (as [`Record::write`] wrote them).
    fn read(bytes: &[u8]) -> Self;
}

/// Records [`Records`] writes and reads back at a time.
pub const RECORDS_CHUNK: usize = 1 << 16;

/// Values of one type in a temporary file, read back in order, a chunk at a
/// time: what a big batch has millions of and goes through in order (the
/// candidates while they are verified, the reported pairs while clustering
/// runs).
#[derive(Debug)]
pub struct Records<R> {
    spill: Spill,
    /// One span per chunk of [`RECORDS_CHUNK`] values.
    chunks: Vec<Span>,
    len: usize,
    kind: std::marker::PhantomData<R>,
}

impl<R: Record> Records<R> {
    /// `values`, written out.
    pub fn write(values: &[R]) -> io::Result<Records<R>> {
        let mut writer = RecordsWriter::new()?;
        values.iter().try_for_each(|v| writer.push(v))?;
        writer.finish()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Calls `each(k, chunk)` on the values in order, in chunks; `k` is
    /// the index of the chunk's first.
    pub fn scan(&self, each: &mut dyn FnMut(usize, &[R])) -> io::Result<()> {
        for (i, &span) in self.chunks.iter().enumerate() {
            each(i * RECORDS_CHUNK, &self.chunk(span)?);
        }
        Ok(())
    }

    /// All of them, in memory (in a list of their number).
    pub fn to_vec(&self) -> io::Result<Vec<R>> {
        let mut all = Vec::with_capacity(self.len);
        for &span in &self.chunks {
            all.extend(self.chunk(span)?);
        }
        Ok(all)
    }

    /// The values of the chunk at `span`.
    fn chunk(&self, span: Span) -> io::Result<Vec<R>> {
        Ok(self
            .spill
            .get(span)?
            .chunks_exact(R::BYTES)
            .map(R::read)
            .collect())
    }
}

/// Writes [`Records`] one value at a time (a chunk is held until it is
/// full), for values made in order that are never to be held all at once.
#[derive(Debug)]
pub struct RecordsWriter<R> {
    records: Records<R>,
    /// The chunk being filled, encoded.
    pending: Vec<u8>,
}

impl<R: Record> RecordsWriter<R> {
    /// A writer of a new, empty file.
    pub fn new() -> io::Result<RecordsWriter<R>> {
        Ok(RecordsWriter {
            records: Records {
                spill: Spill::new()?,
                chunks: Vec::new(),
                len: 0,
                kind: std::marker::PhantomData,
            },
            pending: Vec::new(),
        })
    }

    /// Appends `value`.
    pub fn push(&mut self, value: &R) -> io::Result<()> {
        value.write(&mut self.pending);
        self.records.len += 1;
        if self.pending.len() == RECORDS_CHUNK * R::BYTES {
            self.write_chunk()?;
        }
        Ok(())
    }

    fn write_chunk(&mut self) -> io::Result<()> {
        let span = self.records.spill.put(&self.pending)?;
        self.records.chunks.push(span);
        self.pending.clear();
        Ok(())
    }

    /// The values pushed.
    pub fn finish(mut self) -> io::Result<Records<R>> {
        if !self.pending.is_empty() {
            self.write_chunk()?;
        }
        Ok(self.records)
    }
}

/// An input file ingest read, kept open so that texts can be read from it
/// again ([`Text::Input`]).
#[derive(Debug)]
pub struct Input {
    file: File,
    /// The file's name, for errors.
    name: Arc<str>,
}

impl Input {
    /// `file`, opened as `name`.
    pub fn new(file: File, name: Arc<str>) -> Input {
        Input { file, name }
    }
}

/// Where a text is written in its [`Input`], with the hash of the bytes
/// there when it was read: a text read again is the text read first, or an
/// error (the file was changed during the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    at: Span,
    hash: u64,
}

impl Place {
    /// `bytes`, which are at `offset` in their input.
    pub fn of(offset: u64, bytes: &[u8]) -> Option<Place> {
        Some(Place {
            at: Span::new(offset, u32::try_from(bytes.len()).ok()?),
            hash: crate::hash::stable64(bytes, 0),
        })
    }
}

/// How a text is written in its [`Input`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// As it is (UTF-8): a whole JSONL line.
    AsIs,
    /// As a JSON string literal, quotes included: a JSONL record's text.
    Quoted,
}

/// A text held in memory, kept in a [`Spill`] or left in its input file.
#[derive(Debug, Clone)]
pub enum Text {
    /// In memory.
    Held(String),
    /// In a spill file, as UTF-8.
    Spilled(Arc<Spill>, Span),
    /// In an input file, read again from there.
    Input {
        /// The file.
        input: Arc<Input>,
        /// Where the text is written in it.
        at: Place,
        /// How it is written there.
        written: Written,
        /// The text's length in bytes.
        len: u32,
    },
}

impl Text {
    /// Its length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Text::Held(s) => s.len(),
            Text::Spilled(_, span) => span.len(),
            Text::Input { len, .. } => *len as usize,
        }
    }

    /// Whether it is in memory.
    pub fn is_held(&self) -> bool {
        matches!(self, Text::Held(_))
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text (read back from the spill file when it is there).
    pub fn get(&self) -> io::Result<Cow<'_, str>> {
        match self {
            Text::Held(s) => Ok(Cow::Borrowed(s)),
            Text::Spilled(spill, span) => String::from_utf8(spill.get(*span)?)
                .map(Cow::Owned)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
            Text::Input {
                input,
                at,
                written,
                len,
            } => {
                let mut bytes = vec![0u8; at.at.len()];
                input.file.read_exact_at(&mut bytes, at.at.offset)?;
                let text = if crate::hash::stable64(&bytes, 0) != at.hash {
                    None
                } else {
                    match written {
                        Written::AsIs => String::from_utf8(bytes).ok(),
                        Written::Quoted => serde_json::from_slice::<String>(&bytes).ok(),
                    }
                };
                match text {
                    Some(t) if t.len() == *len as usize => Ok(Cow::Owned(t)),
                    _ => Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "{}: bytes {}..{} are no longer the text read there \
                             (was the file changed during the run?)",
                            input.name,
                            at.at.offset,
                            at.at.offset + u64::from(at.at.len)
                        ),
                    )),
                }
            }
        }
    }

    /// Moves the text into `spill`.
    pub fn spill(&mut self, spill: &Arc<Spill>) -> io::Result<()> {
        if let Text::Held(s) = self {
            let span = spill.put(s.as_bytes())?;
            *self = Text::Spilled(Arc::clone(spill), span);
        }
        Ok(())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Held(s)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::Held(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn what_is_put_is_got_back(texts in prop::collection::vec(".{0,300}", 1..60), big in 0usize..3) {
            let spill = Arc::new(Spill::new().unwrap());
            // Some texts large enough to force writes between puts.
            let mut all: Vec<String> = texts;
            for i in 0..big {
                all.push("x".repeat(WRITE_BUFFER / 2 + i));
            }
            let mut spilled: Vec<Text> = all.iter().map(|t| Text::from(t.as_str())).collect();
            for t in &mut spilled {
                t.spill(&spill).unwrap();
                prop_assert!(matches!(t, Text::Spilled(..)));
            }
            for (t, want) in spilled.iter().zip(&all) {
                prop_assert_eq!(t.len(), want.len());
                let got = t.get().unwrap();
                prop_assert_eq!(got.as_ref(), want.as_str());
            }
        }
    }

    #[test]
    fn chunks_cover_everything_appended_in_order() {
        let spill = Spill::new().unwrap();
        let mut want = Vec::new();
        for i in 0..3000u32 {
            let bytes = i.to_le_bytes().repeat(1 + i as usize % 5);
            spill.put(&bytes).unwrap();
            want.extend(bytes);
        }
        for chunk in [1, 7, 4096, 1 << 20] {
            let mut got = Vec::new();
            spill
                .for_each_chunk(chunk, |c| {
                    assert!(c.len() <= chunk);
                    got.extend_from_slice(c)
                })
                .unwrap();
            assert_eq!(got, want);
        }
        assert_eq!(spill.len(), want.len() as u64);
    }

    #[test]
    fn words_come_back_as_they_went_in() {
        let spill = Spill::new().unwrap();
        let words = [0, 1, u64::MAX, 0x0123_4567_89ab_cdef];
        let (a, b) = (
            spill.put_words(&words).unwrap(),
            spill.put_words(&[]).unwrap(),
        );
        assert_eq!(spill.get_words(a).unwrap(), words);
        assert!(spill.get_words(b).unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn keyed_entries_come_back_as_they_went_in(
            counts in prop::collection::vec((any::<u64>(), any::<u32>()), 0..200),
            weights in prop::collection::vec((any::<u64>(), any::<f32>()), 0..200),
        ) {
            let spill = Spill::new().unwrap();
            let (a, b) = (spill.put_keyed(&counts).unwrap(), spill.put_keyed(&weights).unwrap());
            prop_assert_eq!(a.len(), counts.len() * 12);
            prop_assert_eq!(spill.get_keyed::<u64, u32>(a).unwrap(), counts);
            // Bit for bit, NaNs included.
            let got: Vec<(u64, u32)> = spill
                .get_keyed::<u64, f32>(b)
                .unwrap()
                .into_iter()
                .map(|(k, w)| (k, w.to_bits()))
                .collect();
            let want: Vec<(u64, u32)> = weights.iter().map(|&(k, w)| (k, w.to_bits())).collect();
            prop_assert_eq!(got, want);
        }
    }

    proptest! {
        #[test]
        fn entries_keyed_by_number_come_back_as_they_went_in(
            weights in prop::collection::vec((any::<u32>(), any::<f32>()), 0..200),
        ) {
            let spill = Spill::new().unwrap();
            spill.put(b"before").unwrap();
            let span = spill.put_keyed(&weights).unwrap();
            prop_assert_eq!(span.len(), weights.len() * 8);
            prop_assert_eq!(Spill::keyed_in::<u32>(span), weights.len());
            let mut got = vec![(0u32, 0f32); weights.len()];
            spill.get_keyed_into(span, &mut got).unwrap();
            // Bit for bit, NaNs included.
            let bits = |v: &[(u32, f32)]| v.iter().map(|&(n, w)| (n, w.to_bits())).collect::<Vec<_>>();
            prop_assert_eq!(bits(&got), bits(&weights));
        }
    }

    #[test]
    fn reads_interleave_with_appends_from_several_threads() {
        let spill = Arc::new(Spill::new().unwrap());
        std::thread::scope(|s| {
            for t in 0..4 {
                let spill = &spill;
                s.spawn(move || {
                    // About 20 MiB in all: many full buffers are written
                    // while other threads append and read, and a read may
                    // want bytes still pending, being written or written.
                    let mut put = Vec::new();
                    for i in 0..500 {
                        let text = format!("thread {t} text {i} {}", "y".repeat(i * 40));
                        let span = spill.put(text.as_bytes()).unwrap();
                        assert_eq!(spill.get(span).unwrap(), text.as_bytes());
                        let words: Vec<u64> = (0..i as u64).map(|w| w << 32 | t).collect();
                        let at = spill.put_words(&words).unwrap();
                        put.push((span, text, at, words));
                        let (span, text, at, words) = &put[i * 7 % put.len()];
                        assert_eq!(spill.get(*span).unwrap(), text.as_bytes());
                        assert_eq!(&spill.get_words(*at).unwrap(), words);
                    }
                });
            }
        });
    }

    #[test]
    fn a_read_waits_for_the_write_that_holds_its_bytes() {
        let spill = Spill::new().unwrap();
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            // Each of the writer's appends fills a buffer, written while
            // the readers go on appending and reading: a reader's last
            // words are often in the buffer being written.
            s.spawn(|| {
                // Set on the way out, failed or not, so that the readers
                // stop and a failure fails the test rather than hang it.
                struct Done<'d>(&'d std::sync::atomic::AtomicBool);
                impl Drop for Done<'_> {
                    fn drop(&mut self) {
                        self.0.store(true, Ordering::Release);
                    }
                }
                let _done = Done(&done);
                for i in 0..64u8 {
                    spill.put(&vec![i; WRITE_BUFFER]).unwrap();
                }
            });
            for t in 0..2u64 {
                let (spill, done) = (&spill, &done);
                s.spawn(move || {
                    let mut i = 0u64;
                    while !done.load(Ordering::Acquire) {
                        let words = [i, t, i ^ t, !i];
                        let at = spill.put_words(&words).unwrap();
                        assert_eq!(spill.get_words(at).unwrap(), words);
                        i += 1;
                    }
                });
            }
        });
    }
}
