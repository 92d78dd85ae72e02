//! Normalisation and tokenisation.
//!
//! Input: an article body (`&str`). Output: [`Token`]s in text order, each with
//! its normalised form and the byte range of the original text it came from,
//! plus the line it sits on (for boilerplate suppression).
//!
//! Words are found with Unicode word boundaries (UAX #29), so every script is
//! handled: Latin, Cyrillic, Greek and Arabic words come out whole, Han
//! characters one per token. A segment is a token when it holds a letter or a
//! digit. Each token is normalised with NFKC, lower-cased, and has the
//! typographic characters that NFKC leaves alone folded to ASCII (curly quotes
//! and apostrophes, dashes, ellipsis). Normalising is idempotent.
//!
//! Content terms (the story fingerprint's features) are language-specific:
//! stopwords, stemming, clitics and CJK bigrams live in [`crate::lang`].

use crate::model::Token;
use compact_str::CompactString;
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Folds the typographic characters NFKC keeps: quotes, apostrophes, dashes,
/// ellipsis. Returns `None` for characters that need no folding.
#[inline]
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`'
        | '\u{00B4}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' => "",
        _ => return None,
    })
}

/// Normalises one word: punctuation folding, NFKC, lower case.
pub fn normalize_word(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut folded = String::with_capacity(word.len());
    for c in word.chars() {
        match fold_char(c) {
            Some(s) => folded.push_str(s),
            None => folded.push(c),
        }
    }
    let nfkc: String = folded.nfkc().collect();
    // Folding again catches characters NFKC produced (rare), and makes the
    // whole function idempotent.
    let mut out = String::with_capacity(nfkc.len());
    for c in nfkc.chars().flat_map(char::to_lowercase) {
        match fold_char(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

/// Splits `text` into word tokens with byte offsets and line numbers.
///
/// The result is the UAX #29 word segmentation of the whole text. Most news
/// text is ASCII between spaces, so the text is cut into chunks at ASCII
/// whitespace followed by an ASCII character (always a word boundary, and
/// no rule looks across one). Only the chunks holding a non-ASCII byte go
/// through `unicode-segmentation`; the ASCII text between them takes, in one
/// stretch, a byte-level fast path that implements the UAX #29 rules for
/// ASCII. A property test holds the result equal to
/// segmenting the whole text with `unicode-segmentation`.
///
/// Offsets are 32-bit: a text of 4 GiB or more gives no tokens (the pipeline
/// refuses such an article with an error naming it).
pub fn tokenize(text: &str) -> Vec<Token> {
    if text.len() > MAX_TEXT_BYTES {
        return Vec::new();
    }
    // News text has about one token per 6 bytes, so half the texts would
    // outgrow `len / 6` and be copied; the room left over is given back at
    // the end (glibc shrinks a block in place).
    let mut tokens = Vec::with_capacity(text.len() / 4);
    tokenize_into(text, &mut tokens);
    tokens.shrink_to_fit();
    tokens
}

/// What [`tokenize_into`] hands each token, in text order.
pub trait Words {
    /// One token: its normalised form, its byte range in the text, the line
    /// it is on, and whether it is written as a name (worked out only when
    /// asked, see [`Token::name`]).
    fn word(&mut self, norm: &str, range: Range<u32>, line: u32, name: impl FnOnce() -> bool);
}

impl Words for Vec<Token> {
    #[inline]
    fn word(&mut self, norm: &str, range: Range<u32>, line: u32, name: impl FnOnce() -> bool) {
        self.push(Token {
            norm: CompactString::new(norm),
            byte_start: range.start,
            byte_end: range.end,
            line,
            name: name(),
        });
    }
}

/// The tokens of [`tokenize`], handed to `out` one at a time instead of
/// collected (a text of 4 GiB or more gives none).
pub fn tokenize_into(text: &str, out: &mut impl Words) {
    if text.len() > MAX_TEXT_BYTES {
        return;
    }
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut out = Scan {
        text,
        lower: &lower,
        out,
        line: 0,
        line_scan: 0,
    };
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(q) = first_non_ascii(&bytes[pos..]) else {
            ascii_words(bytes, pos, bytes.len(), &mut out);
            break;
        };
        let q = pos + q;
        // The chunk holding the non-ASCII byte at `q` runs from the last
        // chunk start at or before it to the next one after it; everything
        // before it is ASCII.
        let mut start = q;
        while start > pos && !is_chunk_start(bytes, start) {
            start -= 1;
        }
        ascii_words(bytes, pos, start, &mut out);
        let mut end = q + 1;
        while end < bytes.len() && !is_chunk_start(bytes, end) {
            end += 1;
        }
        for (at, seg) in text[start..end].split_word_bound_indices() {
            out.push(start + at, seg);
        }
        pos = end;
    }
}

/// Position of the first byte of `bytes` that is not ASCII, testing 16
/// bytes at a time.
#[inline]
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(16);
    let mut at = 0;
    for chunk in &mut chunks {
        if !chunk.is_ascii() {
            break;
        }
        at += 16;
    }
    bytes[at..].iter().position(|&b| b >= 0x80).map(|i| at + i)
}

/// Whether a chunk starts at byte `i` (> 0): an ASCII character that is not
/// whitespace, after ASCII whitespace. UAX #29 always breaks there, and no
/// rule looks across it.
#[inline]
fn is_chunk_start(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    b < 0x80 && !is_ascii_space(b) && is_ascii_space(bytes[i - 1])
}

/// Longest text [`tokenize`] takes: token offsets are `u32`.
pub const MAX_TEXT_BYTES: usize = u32::MAX as usize;

/// Whitespace as UAX #29 sees it at a chunk edge: space, tab, line breaks.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The tokeniser's walk through one text: it hands the tokens it finds to
/// the sink `out` in text order, counting lines on the way.
struct Scan<'t, W> {
    text: &'t str,
    /// `text` with its ASCII letters lower-cased (the normalised form of an
    /// ASCII word is its slice of this).
    lower: &'t str,
    out: &'t mut W,
    line: u32,
    line_scan: usize,
}

impl<W: Words> Scan<'_, W> {
    /// Takes one UAX #29 segment starting at byte `start`; it becomes a token
    /// when it holds a letter or a digit.
    #[inline]
    fn push(&mut self, start: usize, seg: &str) {
        if !seg.chars().any(char::is_alphanumeric) || !self.reach(start, seg.len()) {
            return;
        }
        let range = start as u32..(start + seg.len()) as u32;
        let name = || is_name_like(self.text, start, seg);
        if seg.is_ascii() {
            let norm = &self.lower[start..start + seg.len()];
            self.out.word(norm, range, self.line, name);
        } else {
            let norm = normalize_word(seg);
            if !norm.is_empty() {
                self.out.word(&norm, range, self.line, name);
            }
        }
    }

    /// Counts the lines up to the word at `start..start + len`; `false` when
    /// that word is the body of an HTML character reference (no token).
    #[inline]
    fn reach(&mut self, start: usize, len: usize) -> bool {
        self.reach_line(start);
        !is_html_entity(self.text, start, len)
    }

    /// Counts the lines up to byte `at` (not before where counting stopped).
    #[inline]
    fn reach_line(&mut self, at: usize) {
        if at > self.line_scan {
            self.line += self.text.as_bytes()[self.line_scan..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32;
            self.line_scan = at;
        }
    }

    /// [`Scan::push`] for an all-ASCII segment `start..end` that starts
    /// with a letter, digit or `_`: the same token, with byte tests in place
    /// of Unicode ones. `classes` is the union of the segment's
    /// [`ASCII_CLASS`] bits.
    #[inline]
    fn push_ascii(&mut self, start: usize, end: usize, classes: u8) {
        if classes & (LETTER | DIGIT) == 0 || !self.reach(start, end - start) {
            return;
        }
        // The segment is ASCII, so slicing at these offsets is valid.
        let norm = &self.lower[start..end];
        let name = || {
            classes & DIGIT != 0
                || (self.text.as_bytes()[start].is_ascii_uppercase()
                    && !at_sentence_start(self.text, start))
        };
        self.out
            .word(norm, start as u32..end as u32, self.line, name);
    }
}

/// The UAX #29 word segments of an all-ASCII stretch `bytes[from..to]` that
/// hold a letter or digit. For ASCII the rules reduce to: letters, digits and
/// `_` join (WB5, WB8–WB10, WB13a/b); `:` `.` `'` join two letters (WB6/7);
/// `,` `;` `.` `'` join two digits (WB11/12); everything else breaks.
fn ascii_words<W: Words>(bytes: &[u8], from: usize, to: usize, out: &mut Scan<'_, W>) {
    // Lines are counted here, on the way between words: the sink's count
    // then has nothing left to scan.
    out.reach_line(from);
    let mut i = from;
    while i < to {
        let class = ASCII_CLASS[bytes[i] as usize];
        if class & WORD == 0 {
            out.line += u32::from(bytes[i] == b'\n');
            i += 1;
            continue;
        }
        let start = i;
        out.line_scan = start;
        let mut classes = class;
        i += 1;
        loop {
            i = word_run(bytes, i, to, &mut classes);
            if i + 1 < to {
                // Most words end at a space: only a joiner needs its
                // neighbours looked at.
                let mid = ASCII_CLASS[bytes[i] as usize];
                if mid & (JOINS_LETTERS | JOINS_DIGITS) != 0 {
                    let prev = ASCII_CLASS[bytes[i - 1] as usize];
                    let next = ASCII_CLASS[bytes[i + 1] as usize];
                    // Both neighbours letters (or digits) and `mid` joins those.
                    if (prev & next & (LETTER | DIGIT)) << 2 & mid != 0 {
                        classes |= next;
                        i += 2;
                        continue;
                    }
                }
            }
            break;
        }
        out.push_ascii(start, i, classes);
    }
    out.line_scan = to;
}

/// The end of the run of word bytes (letters, digits, `_`) of `bytes` from
/// `i`, not past `to`; adds the run's [`LETTER`] and [`DIGIT`] bits to
/// `classes`. On x86-64 sixteen bytes are classified at a time (SSE2 is part
/// of every x86-64 CPU), so a word costs one step, not one per byte.
#[inline]
fn word_run(bytes: &[u8], mut i: usize, to: usize, classes: &mut u8) -> usize {
    #[cfg(target_arch = "x86_64")]
    while let Some(chunk) = bytes[i..].first_chunk::<16>() {
        let (run, found) = sse2::word_run16(chunk, to - i);
        *classes |= found;
        i += run;
        if run < 16 {
            return i;
        }
    }
    while i < to && ASCII_CLASS[bytes[i] as usize] & WORD != 0 {
        *classes |= ASCII_CLASS[bytes[i] as usize];
        i += 1;
    }
    i
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::{DIGIT, LETTER};
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };

    /// The length of the run of word bytes at the start of `chunk` (16
    /// bytes), at most `limit`, and the [`LETTER`] and [`DIGIT`] bits of
    /// the bytes in it. A byte is a letter when, lower-cased by setting bit
    /// 5, it is within `a..=z`: moved by `128 - b'a'`, the range becomes the
    /// 26 smallest signed bytes, found with one signed compare; digits alike.
    #[inline]
    pub(super) fn word_run16(chunk: &[u8; 16], limit: usize) -> (usize, u8) {
        // SAFETY: SSE2 is part of x86-64; the unaligned load reads the 16
        // bytes of `chunk`.
        let (letters, digits, under) = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let letters = _mm_cmplt_epi8(
                _mm_add_epi8(folded, _mm_set1_epi8((128 - i32::from(b'a')) as i8)),
                _mm_set1_epi8(-128 + 26),
            );
            let digits = _mm_cmplt_epi8(
                _mm_add_epi8(v, _mm_set1_epi8((128 - i32::from(b'0')) as i8)),
                _mm_set1_epi8(-128 + 10),
            );
            let under = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8));
            (
                _mm_movemask_epi8(letters) as u32,
                _mm_movemask_epi8(digits) as u32,
                _mm_movemask_epi8(under) as u32,
            )
        };
        let run = ((!(letters | digits | under)).trailing_zeros() as usize).min(limit);
        let inside = (1u32 << run) - 1;
        let mut found = 0;
        if letters & inside != 0 {
            found |= LETTER;
        }
        if digits & inside != 0 {
            found |= DIGIT;
        }
        (run, found)
    }
}

/// [`ascii_words`] byte classes: letters, digits and `_` make words; `:`
/// joins two letters, `,` and `;` two digits, `.` and `'` either.
const WORD: u8 = 1;
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
/// `LETTER << 2`: joins two letters.
const JOINS_LETTERS: u8 = 8;
/// `DIGIT << 2`: joins two digits.
const JOINS_DIGITS: u8 = 16;

/// The [`ascii_words`] class bits of every byte (0 past ASCII).
static ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() {
            WORD | LETTER
        } else if c.is_ascii_digit() {
            WORD | DIGIT
        } else if c == b'_' {
            WORD
        } else if c == b':' {
            JOINS_LETTERS
        } else if c == b',' || c == b';' {
            JOINS_DIGITS
        } else if c == b'.' || c == b'\'' {
            JOINS_LETTERS | JOINS_DIGITS
        } else {
            0
        };
        b += 1;
    }
    table
};

/// Whether the word at `start..start + len` is the body of an HTML character
/// reference left in scraped text (`&amp;`, `&#8217;`, `&#x2019;`): such
/// words are markup, not language, and as numbers they would count as names.
pub fn is_html_entity(text: &str, start: usize, len: usize) -> bool {
    let bytes = text.as_bytes();
    if len > 8 || bytes.get(start + len) != Some(&b';') {
        return false;
    }
    let before = &bytes[..start];
    before.ends_with(b"&")
        || before.ends_with(b"&#")
        || before.ends_with(b"&#x")
        || before.ends_with(b"&#X")
}

/// Whether the word `word` starting at byte `start` of `text` is written as a
/// name (capitalised, not at the start of a sentence or line) or holds a digit.
pub fn is_name_like(text: &str, start: usize, word: &str) -> bool {
    if word.chars().any(char::is_numeric) {
        return true;
    }
    if !word.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    !at_sentence_start(text, start)
}

/// Whether the word at `start` opens a sentence: the previous character that
/// is not a space or an opening quote ends a sentence or a line, or there is
/// none.
fn at_sentence_start(text: &str, start: usize) -> bool {
    for c in text[..start].chars().rev() {
        match c {
            ' ' | '\t' | '"' | '\'' | '\u{201C}' | '\u{2018}' | '(' | '[' | '\u{00AB}' => continue,
            '.' | '!' | '?' | ':' | '\n' | '\r' | '\u{2014}' | '-' | '|' | '\u{2022}' => {
                return true
            }
            _ => return false,
        }
    }
    true
}

/// Normalises a whole text to its token forms joined by single spaces.
pub fn normalize_text(text: &str) -> String {
    let tokens = tokenize(text);
    let mut out = String::with_capacity(text.len());
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&t.norm);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| t.norm.to_string())
            .collect()
    }

    #[test]
    fn folds_case_quotes_and_dashes_and_keeps_offsets() {
        let text = "Dubai\u{2019}s \u{201C}Flagship\u{201D} carrier \u{2014} EMIRATES";
        let toks = tokenize(text);
        let got: Vec<&str> = toks.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(got, ["dubai's", "flagship", "carrier", "emirates"]);
        assert_eq!(&text[toks[0].text_range()], "Dubai\u{2019}s");
        assert_eq!(&text[toks[3].text_range()], "EMIRATES");
    }

    #[test]
    fn nfkc_folds_ligatures_and_fullwidth() {
        assert_eq!(
            norms("\u{FB01}nance \u{FF21}\u{FF22}\u{FF23}"),
            ["finance", "abc"]
        );
    }

    #[test]
    fn numbers_and_non_latin_scripts_are_tokens() {
        assert_eq!(
            norms("Цена выросла на 3.5%"),
            ["цена", "выросла", "на", "3.5"]
        );
        assert_eq!(norms("地震发生"), ["地", "震", "发", "生"]);
        assert_eq!(norms("مرحبا بالعالم"), ["مرحبا", "بالعالم"]);
    }

    #[test]
    fn names_are_capitalised_words_inside_sentences_and_numbers() {
        let text = "The minister met Lavrov in Geneva. Talks resume on 12 May.\nRussia agreed";
        let names: Vec<(String, bool)> = tokenize(text)
            .into_iter()
            .map(|t| (t.norm.to_string(), t.name))
            .collect();
        let named: Vec<&str> = names.iter().filter(|x| x.1).map(|x| x.0.as_str()).collect();
        assert_eq!(named, ["lavrov", "geneva", "12", "may"]);
    }

    #[test]
    fn html_character_references_are_not_words() {
        let words = |t: &str| -> Vec<String> {
            tokenize(t)
                .into_iter()
                .map(|t| t.norm.to_string())
                .collect()
        };
        assert_eq!(
            words("It&#8217;s Stop &amp; Frisk &#x2019;Tis&#8221; AT&T R&D"),
            ["it", "s", "stop", "frisk", "tis", "at", "t", "r", "d"]
        );
    }

    #[test]
    fn lines_are_counted() {
        let toks = tokenize("one two\n\nthree");
        assert_eq!(toks.iter().map(|t| t.line).collect::<Vec<_>>(), [0, 0, 2]);
    }

    proptest::proptest! {
        /// Normalising is idempotent, on any Unicode input.
        #[test]
        fn normalize_word_is_idempotent(s in "\\PC{0,12}") {
            let once = normalize_word(&s);
            proptest::prop_assert_eq!(normalize_word(&once), once);
        }

        /// Token offsets always slice the original text on char boundaries,
        /// in order, and every token is non-empty (naive oracle: the ranges).
        #[test]
        fn token_ranges_are_valid(s in "\\PC{0,40}") {
            let toks = tokenize(&s);
            let mut last = 0;
            for t in &toks {
                proptest::prop_assert!(t.start() >= last);
                proptest::prop_assert!(s.is_char_boundary(t.start()) && s.is_char_boundary(t.end()));
                proptest::prop_assert!(!t.norm.is_empty());
                last = t.end();
            }
        }
    }

    /// The reference: UAX #29 over the whole text, no fast path.
    fn tokenize_reference(text: &str) -> Vec<(String, std::ops::Range<usize>, u32, bool)> {
        let lower = text.to_ascii_lowercase();
        let mut tokens = Vec::new();
        let mut out = Scan {
            text,
            lower: &lower,
            out: &mut tokens,
            line: 0,
            line_scan: 0,
        };
        for (start, seg) in text.split_word_bound_indices() {
            out.push(start, seg);
        }
        tokens
            .into_iter()
            .map(|t| (t.norm.to_string(), t.text_range(), t.line, t.name))
            .collect()
    }

    fn tokenize_tuples(text: &str) -> Vec<(String, std::ops::Range<usize>, u32, bool)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.norm.to_string(), t.text_range(), t.line, t.name))
            .collect()
    }

    #[test]
    fn fast_path_follows_uax29_on_news_punctuation() {
        for text in [
            "U.S. officials said 1,400.5 workers' pay rose 3.5% on 12:30 a.m. don't_stop",
            "He said: \"no\" -- then left.\n\nA1 b2c 3d 4.e e.4 x:y 1:2 1;2 a;b a,b 1,2 '5 5' _a a_ __",
            "caf\u{e9} na\u{ef}ve \u{201c}quoted\u{201d} \u{2014} dash\u{2019}s x\u{301}y",
            "   \t\r\n  end",
        ] {
            assert_eq!(tokenize_tuples(text), tokenize_reference(text), "{text:?}");
        }
    }

    proptest::proptest! {
        /// The chunked fast path gives exactly the whole-text UAX #29 result,
        /// on ASCII with every punctuation the rules treat specially…
        #[test]
        fn fast_path_equals_uax29_on_ascii(s in "[a-cA-C0-2 .,:;'_\"\t\n\r!-]{0,40}") {
            proptest::prop_assert_eq!(tokenize_tuples(&s), tokenize_reference(&s));
        }

        /// …on any ASCII text, every letter and control byte included, long
        /// enough for words to cross the sixteen bytes classified at once…
        #[test]
        fn fast_path_equals_uax29_on_any_ascii(s in "[\\x00-\\x7F]{0,80}") {
            proptest::prop_assert_eq!(tokenize_tuples(&s), tokenize_reference(&s));
        }

        /// …on long words and runs of joined words…
        #[test]
        fn fast_path_equals_uax29_on_long_words(s in "([a-zA-Z0-9_]{1,40}[ .,:;'\n]{0,2}){0,6}") {
            proptest::prop_assert_eq!(tokenize_tuples(&s), tokenize_reference(&s));
        }

        /// …and on any Unicode mixed with ASCII.
        #[test]
        fn fast_path_equals_uax29_on_unicode(s in "([a-c0-1 .,:'_\n]|\\PC){0,40}") {
            proptest::prop_assert_eq!(tokenize_tuples(&s), tokenize_reference(&s));
        }
    }

    #[test]
    fn empty_and_punctuation_only_texts_have_no_tokens() {
        assert!(tokenize("").is_empty());
        assert!(tokenize(" -- !!! \n ...").is_empty());
    }
}
