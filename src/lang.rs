//! Languages: detection, and the language-specific part of content terms.
//!
//! Input: an article (its `lang` field if given, else its text) and its
//! normalised [`Token`]s. Output: a [`Lang`] per article, and the content
//! terms of a token sequence in that language.
//!
//! - **Detection** ([`detect_tokens`]), only when the input gives no
//!   language: stopword voting over the first tokens ([`vote`], one hash
//!   lookup per token) decides clear cases and CJK text by script; the rest
//!   goes to `whatlang` trigram/script detection ([`detect`]) on a prefix of
//!   the headline and body ([`DETECT_PREFIX_BYTES`]).
//! - **Stopwords** per language: lists in `data/stopwords/` (sources and
//!   licences in its README), loaded at compile time, normalised like tokens,
//!   and hashed together into the pipeline fingerprint ([`stopword_lists_hash`]).
//! - **Stemming** per language: Snowball (rust-stemmers) for the languages it
//!   has; Polish has no Snowball stemmer, so it gets a light suffix stripper
//!   ([`stem_polish`]); languages without either are not stemmed.
//! - **Clitics**: French and Italian elided articles (`l'`, `dell'`) and
//!   Turkish suffixes after an apostrophe (`Türkiye'nin`) are cut off; English
//!   keeps stripping the possessive `'s`.
//! - **No-space scripts** (Chinese, Japanese kanji and kana): the tokenizer
//!   yields one token per character, so content terms are overlapping
//!   character bigrams of each run of adjacent such tokens (a run of one
//!   character is a unigram), for any article language. Copy shingles keep
//!   the one-token-per-character stream, so 5-shingles are 5-character runs.
//!
//! Every per-language table is built once (a `OnceLock`); nothing is allocated
//! per token beyond the term itself.

use crate::hash::stable64;
use crate::model::Token;
use crate::normalize::normalize_word;
use crate::probe::ProbeTable;
use ahash::AHashSet;
use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;
use std::sync::OnceLock;

/// Bytes of headline plus body that language detection reads.
pub const DETECT_PREFIX_BYTES: usize = 1000;

macro_rules! languages {
    ($( $variant:ident, $code:literal, $whatlang:ident, $stemmer:expr, $stop:expr; )*) => {
        /// A language newsdup has a profile for (stopwords and/or stemmer), or
        /// [`Lang::Other`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Lang {
            $(
                #[doc = concat!("ISO 639-1 `", $code, "`.")]
                $variant,
            )*
            /// Any other or unknown language: no stopwords, no stemming.
            Other,
        }

        /// Every language with a profile, in code order.
        pub const LANGUAGES: &[Lang] = &[$(Lang::$variant),*];

        impl Lang {
            /// The ISO 639-1 code (`und` for [`Lang::Other`]).
            pub fn code(self) -> &'static str {
                match self {
                    $(Lang::$variant => $code,)*
                    Lang::Other => "und",
                }
            }

            fn from_two_letter(code: &str) -> Option<Lang> {
                match code {
                    $($code => Some(Lang::$variant),)*
                    _ => None,
                }
            }

            fn from_whatlang(lang: whatlang::Lang) -> Lang {
                match lang {
                    $(whatlang::Lang::$whatlang => Lang::$variant,)*
                    _ => Lang::Other,
                }
            }

            fn stemmer_algorithm(self) -> Option<Algorithm> {
                match self {
                    $(Lang::$variant => $stemmer,)*
                    Lang::Other => None,
                }
            }

            fn stopword_list(self) -> &'static str {
                match self {
                    $(Lang::$variant => $stop,)*
                    Lang::Other => "",
                }
            }
        }
    };
}

languages! {
    Ar, "ar", Ara, Some(Algorithm::Arabic), include_str!("../data/stopwords/ar.txt");
    Da, "da", Dan, Some(Algorithm::Danish), include_str!("../data/stopwords/da.txt");
    De, "de", Deu, Some(Algorithm::German), include_str!("../data/stopwords/de.txt");
    El, "el", Ell, Some(Algorithm::Greek), include_str!("../data/stopwords/el.txt");
    En, "en", Eng, Some(Algorithm::English), include_str!("../data/stopwords/en.txt");
    Es, "es", Spa, Some(Algorithm::Spanish), include_str!("../data/stopwords/es.txt");
    Fi, "fi", Fin, Some(Algorithm::Finnish), include_str!("../data/stopwords/fi.txt");
    Fr, "fr", Fra, Some(Algorithm::French), include_str!("../data/stopwords/fr.txt");
    Hu, "hu", Hun, Some(Algorithm::Hungarian), include_str!("../data/stopwords/hu.txt");
    It, "it", Ita, Some(Algorithm::Italian), include_str!("../data/stopwords/it.txt");
    Ja, "ja", Jpn, None, "";
    Nb, "nb", Nob, Some(Algorithm::Norwegian), include_str!("../data/stopwords/nb.txt");
    Nl, "nl", Nld, Some(Algorithm::Dutch), include_str!("../data/stopwords/nl.txt");
    Pl, "pl", Pol, None, include_str!("../data/stopwords/pl.txt");
    Pt, "pt", Por, Some(Algorithm::Portuguese), include_str!("../data/stopwords/pt.txt");
    Ro, "ro", Ron, Some(Algorithm::Romanian), include_str!("../data/stopwords/ro.txt");
    Ru, "ru", Rus, Some(Algorithm::Russian), include_str!("../data/stopwords/ru.txt");
    Sv, "sv", Swe, Some(Algorithm::Swedish), include_str!("../data/stopwords/sv.txt");
    Tr, "tr", Tur, Some(Algorithm::Turkish), include_str!("../data/stopwords/tr.txt");
    Zh, "zh", Cmn, None, include_str!("../data/stopwords/zh.txt");
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Reads a language code as written in input records: ISO 639-1 (`de`),
/// ISO 639-3 (`deu`), or a BCP 47 tag whose primary subtag is one of those
/// (`de-AT`, `zh_Hans`); case-insensitive. `no` means Norwegian Bokmål.
/// Returns `None` when the text is not shaped like a code; a well-formed code
/// of a language without a profile is [`Lang::Other`].
pub fn parse_code(text: &str) -> Option<Lang> {
    let primary = text.trim().split(['-', '_']).next().unwrap_or("");
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let primary = primary.to_ascii_lowercase();
    let lang = match primary.as_str() {
        "no" | "nob" => Lang::Nb,
        "zho" | "chi" => Lang::Zh,
        code if code.len() == 2 => Lang::from_two_letter(code).unwrap_or(Lang::Other),
        code => whatlang::Lang::from_code(code).map_or(Lang::Other, Lang::from_whatlang),
    };
    Some(lang)
}

/// Tokens that stopword voting ([`vote`]) reads.
pub const VOTE_TOKENS: usize = 200;

/// Detects the language of an article whose body is already tokenised:
/// stopword voting when it is clear-cut, else [`detect`] on a text prefix.
pub fn detect_tokens(title: Option<&str>, body: &str, tokens: &[Token]) -> Lang {
    detect_voted(title, body, &Ballot::of(tokens))
}

/// [`detect_tokens`] with the body's first tokens already in `ballot`.
pub fn detect_voted(title: Option<&str>, body: &str, ballot: &Ballot) -> Lang {
    ballot.result().unwrap_or_else(|| detect(title, body))
}

/// Stopword voting: each of the first [`VOTE_TOKENS`] tokens that only one
/// language's stopword list holds votes for that language. The winner needs
/// at least 6 votes, three times the votes of the runner-up, and votes from
/// one token in twenty; anything less (short texts, close calls) returns
/// `None`. Text that is mostly CJK characters is told by script, and 20 or
/// more tokens of which under 1 % are listed stopwords are [`Lang::Other`]
/// (running text in a listed language has far more: on semeval2022 at least
/// 3 % even for Turkish, whose list is short; no profile would apply). It costs one hash lookup per
/// token, against a few hundred microseconds per text for trigram detection,
/// and on running text in a listed language it is almost always clear-cut.
pub fn vote(tokens: &[Token]) -> Option<Lang> {
    Ballot::of(tokens).result()
}

/// The tally of [`vote`], taken one token at a time: a tokeniser can vote
/// each token as it finds it, without keeping it.
#[derive(Debug, Clone, Default)]
pub struct Ballot {
    votes: [u32; 32],
    /// Tokens voted; those past [`VOTE_TOKENS`] are not.
    n: u32,
    cjk: u32,
    kana: u32,
    hangul: u32,
    listed: u32,
}

impl Ballot {
    /// The ballot of `tokens`' first [`VOTE_TOKENS`].
    pub fn of(tokens: &[Token]) -> Ballot {
        let votes = Votes::unseeded();
        let mut ballot = Ballot::default();
        for t in tokens.iter().take(VOTE_TOKENS) {
            ballot.add(&t.norm, stable64(t.norm.as_bytes(), 0), votes);
        }
        ballot
    }

    /// Whether it has its [`VOTE_TOKENS`] tokens: [`Ballot::add`] takes no more.
    #[inline]
    fn is_full(&self) -> bool {
        self.n as usize >= VOTE_TOKENS
    }

    /// Votes the next token, by its normalised form and that form's hash,
    /// `stable64(norm, seed)` with the seed `votes` was made with. Past the
    /// first [`VOTE_TOKENS`] it does nothing, and costs one compare.
    #[inline]
    pub fn add(&mut self, norm: &str, hash: u64, votes: &Votes) {
        if !self.is_full() {
            self.vote(norm, hash, votes);
        }
    }

    fn vote(&mut self, norm: &str, hash: u64, votes: &Votes) {
        self.n += 1;
        // Every CJK character is of three or four bytes in UTF-8, the
        // first of which is 0xE3 or more: an ASCII word is not decoded.
        if norm.as_bytes().first().is_some_and(|&b| b >= 0xE3) {
            if let Some(c) = norm.chars().next().filter(|&c| is_cjk(c)) {
                self.cjk += 1;
                self.kana += matches!(c as u32, 0x3040..=0x30FF) as u32;
                self.hangul += matches!(c as u32, 0xAC00..=0xD7AF) as u32;
                return;
            }
        }
        if let Some(mask) = votes.get(hash) {
            self.listed += 1;
            // Only a word that one list alone holds is evidence.
            if mask.count_ones() == 1 {
                self.votes[mask.trailing_zeros() as usize] += 1;
            }
        }
    }

    /// The language voted for, if the vote is clear-cut ([`vote`]).
    pub fn result(&self) -> Option<Lang> {
        let Ballot {
            votes,
            n,
            cjk,
            kana,
            hangul,
            listed,
        } = *self;
        if cjk * 2 > n {
            // Mostly CJK characters: Japanese if it has kana, Korean (no
            // profile) if Hangul, else Chinese.
            return Some(if kana > 0 {
                Lang::Ja
            } else if hangul * 2 > cjk {
                Lang::Other
            } else {
                Lang::Zh
            });
        }
        if listed * 100 < n && n >= 20 {
            return Some(Lang::Other);
        }
        let (mut best, mut second) = (0usize, 0u32);
        for i in 1..LANGUAGES.len() {
            if votes[i] > votes[best] {
                second = votes[best];
                best = i;
            } else if votes[i] > second {
                second = votes[i];
            }
        }
        let top = votes[best];
        (top >= 6 && top >= 3 * second && top * 20 >= n).then(|| LANGUAGES[best])
    }
}

/// Every listed stopword → the bit set of the languages listing it (bit i:
/// `LANGUAGES[i]`), keyed by the word's hash with one seed: a tokeniser
/// that hashes each token anyway votes it with one more lookup, without
/// hashing or comparing the word again. The table's bit filter (16 KiB for
/// the 4,400 distinct words listed) answers most words that are not listed
/// without reaching its slots.
#[derive(Debug)]
pub struct Votes(ProbeTable<u32>);

impl Votes {
    /// The table for hashes `stable64(word, seed)`.
    pub fn new(seed: u64) -> Votes {
        let mut words: ahash::AHashMap<u64, u32> = ahash::AHashMap::new();
        for (i, &l) in LANGUAGES.iter().enumerate() {
            if l == Lang::Zh {
                continue;
            }
            for w in &profile(l).stopwords {
                *words.entry(stable64(w.as_bytes(), seed)).or_insert(0) |= 1 << i;
            }
        }
        // Half the room of a verification table: 256 KiB of slots, where
        // 512 KiB were pushed out of the cache by the text being read
        // (copies mode's normalising 3-6 % slower).
        Votes(ProbeTable::with_room(words.into_iter(), 2))
    }

    /// The table for seed 0, made once.
    pub fn unseeded() -> &'static Votes {
        static TABLE: OnceLock<Votes> = OnceLock::new();
        TABLE.get_or_init(|| Votes::new(0))
    }

    /// The languages listing the word of `hash`, if any does.
    #[inline]
    fn get(&self, hash: u64) -> Option<u32> {
        self.0.get_filtered(hash)
    }
}

/// Detects the language of an article from a prefix of its headline and body
/// (whatlang trigram and script detection). Texts too short or too mixed to
/// tell give [`Lang::Other`].
pub fn detect(title: Option<&str>, body: &str) -> Lang {
    let mut sample = String::with_capacity(DETECT_PREFIX_BYTES + 1);
    if let Some(t) = title {
        sample.push_str(prefix(t, DETECT_PREFIX_BYTES / 4));
        sample.push('\n');
    }
    sample.push_str(prefix(body, DETECT_PREFIX_BYTES - sample.len()));
    whatlang::detect(&sample).map_or(Lang::Other, |info| Lang::from_whatlang(info.lang()))
}

/// The longest prefix of `text` of at most `max_bytes` that ends on a char boundary.
fn prefix(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A language's stopword set and stemmer, built once.
struct Profile {
    stopwords: AHashSet<String>,
    stemmer: Option<Stemmer>,
}

fn profile(lang: Lang) -> &'static Profile {
    static PROFILES: OnceLock<Vec<Profile>> = OnceLock::new();
    let all = PROFILES.get_or_init(|| {
        LANGUAGES
            .iter()
            .chain([&Lang::Other])
            .map(|&l| Profile {
                stopwords: l
                    .stopword_list()
                    .split_whitespace()
                    .map(normalize_word)
                    .collect(),
                stemmer: l.stemmer_algorithm().map(Stemmer::create),
            })
            .collect()
    });
    // Variants are declared in `LANGUAGES` order, `Other` last.
    &all[lang as usize]
}

/// Whether `norm` (a normalised word) is a stopword of `lang`.
pub fn is_stopword(norm: &str, lang: Lang) -> bool {
    profile(lang).stopwords.contains(norm)
}

/// Stable hash of every stopword list (part of the pipeline fingerprint).
pub fn stopword_lists_hash() -> u64 {
    let mut all = String::new();
    for l in LANGUAGES {
        all.push_str(l.code());
        all.push('\0');
        all.push_str(l.stopword_list());
        all.push('\0');
    }
    stable64(all.as_bytes(), 0)
}

/// Names the detection method (part of the pipeline fingerprint: a change
/// can give an article another language, hence other terms).
pub const DETECTION: &str =
    "vote 200 tokens (6, x3, 1/20; und under 1%), cjk script, whatlang 0.18 on 1000 bytes";

/// Names the stemmers (part of the pipeline fingerprint).
pub const STEMMERS: &str = "snowball rust-stemmers 1.2 (ar da de el en es fi fr hu it nb nl pt ro ru sv tr), pl light-suffix v1";

/// Whether `c` belongs to a script written without spaces between words
/// (Han, kana, Hangul syllables are included for their single-character tokens).
pub fn is_cjk(c: char) -> bool {
    // Most characters (every Latin, Greek, Cyrillic, Arabic one) are below
    // the first range: one compare for them.
    (c as u32) >= 0x3040
        && matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF
        | 0x20000..=0x2FA1F)
}

/// Removes the clitics of `lang` from a normalised word: the English
/// possessive, French/Italian elided articles and prepositions, Turkish case
/// suffixes after an apostrophe.
fn strip_clitics(norm: &str, lang: Lang) -> &str {
    let word = norm
        .strip_suffix("'s")
        .or_else(|| norm.strip_suffix('\''))
        .unwrap_or(norm);
    let Some(apos) = word.find('\'') else {
        return word;
    };
    match lang {
        Lang::Fr | Lang::It => {
            let head = &word[..apos];
            const ELIDED: &[&str] = &[
                "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "un",
                "all", "dall", "dell", "nell", "sull", "coll", "quell", "quest", "po",
            ];
            if ELIDED.contains(&head) {
                &word[apos + 1..]
            } else {
                word
            }
        }
        Lang::Tr => &word[..apos],
        _ => word,
    }
}

/// Light Polish stemmer: strips the longest common inflectional ending,
/// keeping a stem of at least four characters. Polish has no Snowball
/// stemmer; this conflates most case and number forms of nouns and
/// adjectives (`wyborach`, `wybory`, `wyborów` → `wybor`), which is what
/// overlap of content terms needs, without a dictionary.
pub fn stem_polish(word: &str) -> &str {
    // Longest first within each length; checked longest-suffix-first.
    const SUFFIXES: &[&str] = &[
        "owania", "owanie", "owaniu", "ościami", "ościach", "ości", "ość", "owego", "owych",
        "owymi", "owej", "owie", "owy", "owa", "owe", "ania", "anie", "aniu", "enia", "enie",
        "eniu", "ami", "ach", "ego", "emu", "ymi", "imi", "ych", "ich", "om", "ów", "ie", "ia",
        "iu", "ią", "ię", "ej", "em", "ym", "im", "y", "a", "e", "i", "o", "u", "ą", "ę",
    ];
    let chars = word.chars().count();
    let mut best = word;
    for s in SUFFIXES {
        if let Some(stem) = word.strip_suffix(s) {
            if chars - s.chars().count() >= 4 && stem.len() < best.len() {
                best = stem;
            }
        }
    }
    best
}

/// Turns one normalised word into a content term of `lang`, or `None` for
/// stopwords and noise (single letters that are not digits or CJK).
pub fn content_term(norm: &str, lang: Lang) -> Option<String> {
    // Stemming is most of the cost of content terms and the same words recur
    // all through a batch: each thread memoises its words per language.
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
    }
    const MEMO_MAX: usize = 1 << 18;
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let words = memo.entry(lang).or_default();
        if let Some(hit) = words.get(norm) {
            return hit.as_deref().map(str::to_string);
        }
        let term = content_term_uncached(norm, lang);
        if words.len() >= MEMO_MAX {
            words.clear();
        }
        words.insert(norm.into(), term.as_deref().map(Box::from));
        term
    })
}

/// Per language, each word's content term (`None`: not a content word).
type Memo = ahash::AHashMap<Lang, ahash::AHashMap<Box<str>, Option<Box<str>>>>;

/// The stable hash (with `seed`) of [`content_term`]`(norm, lang)`, looked
/// up in or added to `words`, the memo of its language and seed: a word seen
/// before costs one map lookup and no allocation.
fn content_term_hash(words: &mut WordHashes, norm: &str, lang: Lang, seed: u64) -> Option<u64> {
    let key = WordKey::of(norm);
    if let Some(hit) = words.get(&key) {
        return hit;
    }
    let term = content_term_uncached(norm, lang).map(|t| crate::hash::stable64(t.as_bytes(), seed));
    words.insert(key, term);
    term
}

/// Each word's content-term hash, for one language and seed. A word of up
/// to 16 bytes is keyed by its bytes packed in one integer ([`packed16`]):
/// its lookup neither follows a pointer to a string nor compares one.
#[derive(Default)]
struct WordHashes {
    short: ahash::AHashMap<u128, Option<u64>>,
    long: ahash::AHashMap<Box<str>, Option<u64>>,
}

/// A word as [`WordHashes`] keys it.
enum WordKey<'w> {
    Packed(u128),
    Long(&'w str),
}

impl WordKey<'_> {
    #[inline]
    fn of(word: &str) -> WordKey<'_> {
        match packed16(word.as_bytes()) {
            Some(key) => WordKey::Packed(key),
            None => WordKey::Long(word),
        }
    }
}

impl WordHashes {
    /// Words kept before the memo starts again.
    const MAX_WORDS: usize = 1 << 18;

    #[inline]
    fn get(&self, key: &WordKey<'_>) -> Option<Option<u64>> {
        match key {
            WordKey::Packed(k) => self.short.get(k).copied(),
            WordKey::Long(w) => self.long.get(*w).copied(),
        }
    }

    fn insert(&mut self, key: WordKey<'_>, term: Option<u64>) {
        if self.short.len() + self.long.len() >= Self::MAX_WORDS {
            self.short.clear();
            self.long.clear();
        }
        match key {
            WordKey::Packed(k) => self.short.insert(k, term),
            WordKey::Long(w) => self.long.insert(w.into(), term),
        };
    }
}

/// `word`'s bytes, zero-padded to 8, as a little-endian integer, if it is up
/// to 8 bytes long. A token never holds a NUL byte, so the padding cannot
/// make two words alike. Two loads that may overlap, in place of a copy of
/// the word's length (a call to `memcpy`): an overlapped byte is the same
/// byte in both.
#[inline]
fn packed8(b: &[u8]) -> Option<u64> {
    let n = b.len();
    let load = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
    match n {
        0 => Some(0),
        1..=3 => Some(
            u64::from(b[0])
                | u64::from(b[n / 2]) << (8 * (n / 2))
                | u64::from(b[n - 1]) << (8 * (n - 1)),
        ),
        4..=8 => Some(u64::from(load(0)) | u64::from(load(n - 4)) << (8 * (n - 4))),
        _ => None,
    }
}

/// [`packed8`] for words up to 16 bytes: the first 8 bytes, then the rest
/// packed.
#[inline]
fn packed16(word: &[u8]) -> Option<u128> {
    match word.split_first_chunk::<8>() {
        Some((first, rest)) if !rest.is_empty() => {
            Some(u128::from(u64::from_le_bytes(*first)) | u128::from(packed8(rest)?) << 64)
        }
        _ => packed8(word).map(u128::from),
    }
}

thread_local! {
    /// Per language and seed, each thread's [`WordHashes`]: the same words
    /// recur all through a batch.
    static HASH_MEMO: std::cell::RefCell<ahash::AHashMap<(Lang, u64), WordHashes>> =
        std::cell::RefCell::new(ahash::AHashMap::new());
}

fn content_term_uncached(norm: &str, lang: Lang) -> Option<String> {
    let word = strip_clitics(norm, lang);
    let profile = profile(lang);
    if word.is_empty() || profile.stopwords.contains(word) {
        return None;
    }
    let mut chars = word.chars();
    let first = chars.next()?;
    if chars.next().is_none() && !first.is_numeric() && !is_cjk(first) {
        return None;
    }
    if word.contains('\u{307}') {
        // Lower-casing the Turkish `İ` leaves a combining dot above.
        let word: String = word.chars().filter(|&c| c != '\u{307}').collect();
        return content_term_uncached(&word, lang);
    }
    if !word.chars().all(char::is_alphabetic) {
        return Some(word.to_string());
    }
    Some(stem(word, profile, lang))
}

fn stem(word: &str, profile: &Profile, lang: Lang) -> String {
    match (&profile.stemmer, lang) {
        (Some(s), _) => s.stem(word).into_owned(),
        (None, Lang::Pl) => stem_polish(word).to_string(),
        (None, _) => word.to_string(),
    }
}

/// Whether a token is one character of a no-space script.
pub fn is_cjk_char_token(t: &Token) -> bool {
    let mut chars = t.norm.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
}

/// A Han bigram that is a listed Chinese stopword, or made of two listed
/// single-character stopwords (的, 了, 在 …), carries no content.
fn is_cjk_stop_bigram(bigram: &str, first: &str, second: &str) -> bool {
    let zh = &profile(Lang::Zh).stopwords;
    zh.contains(bigram) || (zh.contains(first) && zh.contains(second))
}

/// Calls `emit(term, token)` for every content term of `tokens` in `lang`,
/// skipping tokens whose index fails `keep`. Runs of adjacent one-character
/// CJK tokens give overlapping bigrams (reported with their first token);
/// every other token gives at most one term ([`content_term`]).
pub fn for_each_content_term(
    tokens: &[Token],
    lang: Lang,
    keep: impl Fn(usize) -> bool,
    mut emit: impl FnMut(&str, &Token),
) {
    walk_content_terms(
        tokens,
        keep,
        |norm| content_term(norm, lang),
        |s| s.to_string(),
        |term, i| emit(&term, &tokens[i]),
    );
}

/// [`for_each_content_term`] giving each term's stable hash with `seed`
/// (`stable64(term, seed)`) instead of its text, and its token's index: the
/// form term counts need, memoised per word without allocating.
pub fn for_each_content_term_hash(
    tokens: &[Token],
    lang: Lang,
    seed: u64,
    keep: impl Fn(usize) -> bool,
    emit: impl FnMut(u64, usize),
) {
    // The thread's memo of this language and seed, taken out for the walk:
    // one lookup per word, not a thread-local access and two lookups. (A
    // walk inside `emit` would find none, and make its own.)
    let mut words = HASH_MEMO.with(|m| m.borrow_mut().remove(&(lang, seed)).unwrap_or_default());
    walk_content_terms(
        tokens,
        keep,
        |norm| content_term_hash(&mut words, norm, lang, seed),
        |s| crate::hash::stable64(s.as_bytes(), seed),
        emit,
    );
    HASH_MEMO.with(|m| m.borrow_mut().insert((lang, seed), words));
}

/// The walk of [`for_each_content_term`]: `word` turns a word token into its
/// term (or `None`), `cjk` a CJK bigram or lone character.
fn walk_content_terms<T>(
    tokens: &[Token],
    keep: impl Fn(usize) -> bool,
    mut word: impl FnMut(&str) -> Option<T>,
    mut cjk: impl FnMut(&str) -> T,
    mut emit: impl FnMut(T, usize),
) {
    let mut bigram = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if !keep(i) {
            continue;
        }
        if !is_cjk_char_token(t) {
            if let Some(term) = word(&t.norm) {
                emit(term, i);
            }
            continue;
        }
        // Tokens j-1 and j are kept one-character CJK tokens, side by side.
        let linked = |j: usize| {
            j >= 1
                && j < tokens.len()
                && keep(j - 1)
                && keep(j)
                && is_cjk_char_token(&tokens[j - 1])
                && is_cjk_char_token(&tokens[j])
                && tokens[j - 1].end() == tokens[j].start()
        };
        if linked(i + 1) {
            let next = &tokens[i + 1];
            bigram.clear();
            bigram.push_str(&t.norm);
            bigram.push_str(&next.norm);
            if !is_cjk_stop_bigram(&bigram, &t.norm, &next.norm) {
                emit(cjk(&bigram), i);
            }
        } else if !linked(i) && !profile(Lang::Zh).stopwords.contains(t.norm.as_str()) {
            // A lone character is its own term.
            emit(cjk(&t.norm), i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::tokenize;

    proptest::proptest! {
        /// The packed forms are the word's bytes zero-padded, as
        /// little-endian integers; longer words have none.
        #[test]
        fn packing_is_the_zero_padded_bytes(word in "([a-z]|\\PC){0,18}") {
            let padded = |n: usize| {
                let mut bytes = [0u8; 16];
                let b = word.as_bytes();
                (b.len() <= n).then(|| {
                    bytes[..b.len()].copy_from_slice(b);
                    u128::from_le_bytes(bytes)
                })
            };
            proptest::prop_assert_eq!(packed8(word.as_bytes()).map(u128::from), padded(8));
            proptest::prop_assert_eq!(packed16(word.as_bytes()), padded(16));
        }
    }

    #[test]
    fn the_vote_table_holds_every_stopword_with_its_languages() {
        for seed in [0, 7, u64::MAX] {
            let table = Votes::new(seed);
            let get = |w: &str| table.get(stable64(w.as_bytes(), seed));
            let mut listed = 0;
            for (i, &l) in LANGUAGES.iter().enumerate() {
                if l == Lang::Zh {
                    continue;
                }
                for w in &profile(l).stopwords {
                    let mask = get(w).unwrap_or_else(|| panic!("{w:?} of {l:?}"));
                    assert_ne!(mask & 1 << i, 0, "{w:?} of {l:?}");
                    // No other language's bit unless its list holds the word.
                    for (j, &m) in LANGUAGES.iter().enumerate() {
                        let lists = m != Lang::Zh && profile(m).stopwords.contains(w.as_str());
                        assert_eq!(mask & 1 << j != 0, lists, "{w:?} in {m:?}");
                    }
                    listed += 1;
                }
            }
            assert!(listed > 4000, "{listed}");
            for w in [
                "newsdup",
                "newsdupx",
                "newsdupxy",
                "th",
                "thee",
                "ü",
                "zzzzzzzzzzzz",
            ] {
                assert_eq!(get(w), None, "{w}");
            }
            assert!(get("the").is_some() && get("und").is_some());
        }
    }

    fn terms(text: &str, lang: Lang) -> Vec<String> {
        let tokens = tokenize(text);
        let mut out = Vec::new();
        for_each_content_term(&tokens, lang, |_| true, |t, _| out.push(t.to_string()));
        out
    }

    #[test]
    fn term_hashes_are_the_hashes_of_the_terms() {
        for (text, lang) in [
            (
                "Die Ministerinnen trafen sich gestern in Genf, sagte Lavrov.",
                Lang::De,
            ),
            (
                "L'armée a dit qu'elle attaquerait demain à 12 heures.",
                Lang::Fr,
            ),
            (
                "中国外交部发言人表示，会谈将于周二在北京举行。的了",
                Lang::Zh,
            ),
            (
                "Talks resumed; the ministers' meeting ran late in Geneva",
                Lang::En,
            ),
            (
                // Words of 15, 16 and over 16 bytes (packed or not), two of
                // them alike in their first 16 bytes.
                "Electroencephalogram and electroencephalographic readings were taken administratively",
                Lang::En,
            ),
        ] {
            let tokens = crate::normalize::tokenize(text);
            let keep = |i: usize| i % 7 != 3;
            let mut by_text = Vec::new();
            for_each_content_term(&tokens, lang, keep, |t, tok| {
                by_text.push((crate::hash::stable64(t.as_bytes(), 9), tok.start()))
            });
            let mut by_hash = Vec::new();
            for _ in 0..2 {
                // The second pass is answered from the memo.
                by_hash.clear();
                for_each_content_term_hash(&tokens, lang, 9, keep, |h, i| {
                    by_hash.push((h, tokens[i].start()))
                });
                assert_eq!(by_hash, by_text, "{text}");
            }
            assert!(by_text.len() >= 4, "{text}");
        }
    }

    #[test]
    fn codes_parse_in_every_form() {
        assert_eq!(parse_code("de"), Some(Lang::De));
        assert_eq!(parse_code("DE-at"), Some(Lang::De));
        assert_eq!(parse_code("zh_Hans"), Some(Lang::Zh));
        assert_eq!(parse_code("deu"), Some(Lang::De));
        assert_eq!(parse_code("pol"), Some(Lang::Pl));
        assert_eq!(parse_code("no"), Some(Lang::Nb));
        assert_eq!(parse_code("vi"), Some(Lang::Other));
        assert_eq!(parse_code("english"), None);
        assert_eq!(parse_code(""), None);
        assert_eq!(parse_code("d3"), None);
        for &l in LANGUAGES {
            assert_eq!(parse_code(l.code()), Some(l));
        }
    }

    #[test]
    fn every_profile_loads() {
        assert!(LANGUAGES.len() <= 32, "vote masks are u32");
        for (i, &l) in LANGUAGES.iter().enumerate() {
            assert_eq!(l as usize, i);
        }
        assert_eq!(Lang::Other as usize, LANGUAGES.len());
        for &l in LANGUAGES {
            let p = profile(l);
            assert_eq!(p.stemmer.is_some(), l.stemmer_algorithm().is_some());
            assert!(l == Lang::Ja || !p.stopwords.is_empty(), "{l}");
        }
        assert!(profile(Lang::Other).stopwords.is_empty());
    }

    #[test]
    fn english_keeps_its_behaviour() {
        assert_eq!(content_term("the", Lang::En), None);
        assert_eq!(content_term("a", Lang::En), None);
        assert_eq!(content_term("officials", Lang::En), Some("offici".into()));
        assert_eq!(content_term("lavrov's", Lang::En), Some("lavrov".into()));
        assert_eq!(content_term("2024", Lang::En), Some("2024".into()));
    }

    #[test]
    fn stopwords_per_language() {
        for (w, l) in [
            ("und", Lang::De),
            ("der", Lang::De),
            ("los", Lang::Es),
            ("dans", Lang::Fr),
            ("della", Lang::It),
            ("jest", Lang::Pl),
            ("когда", Lang::Ru),
            ("için", Lang::Tr),
            ("في", Lang::Ar),
        ] {
            assert_eq!(content_term(w, l), None, "{w} in {l}");
        }
        // A stopword of one language is a word of another.
        assert!(content_term("die", Lang::En).is_some());
        assert!(content_term("die", Lang::De).is_none());
    }

    #[test]
    fn stemming_per_language_conflates_inflections() {
        let same = |l: Lang, a: &str, b: &str| {
            assert_eq!(content_term(a, l), content_term(b, l), "{a} / {b} in {l}");
            assert!(content_term(a, l).is_some());
        };
        same(Lang::De, "regierungen", "regierung");
        same(Lang::Es, "elecciones", "elección");
        same(Lang::Fr, "présidentielles", "présidentielle");
        same(Lang::It, "ministri", "ministro");
        same(Lang::Ru, "выборах", "выборы");
        same(Lang::Tr, "seçimlerde", "seçimler");
        same(Lang::Pl, "wyborach", "wybory");
        same(Lang::Pl, "prezydenta", "prezydentem");
        same(Lang::Ar, "الحكومة", "حكومة");
    }

    #[test]
    fn clitics_are_cut() {
        assert_eq!(
            content_term("l'élection", Lang::Fr),
            content_term("élection", Lang::Fr)
        );
        assert_eq!(
            content_term("dell'economia", Lang::It),
            content_term("economia", Lang::It)
        );
        assert_eq!(
            content_term("türkiye'nin", Lang::Tr),
            content_term("türkiye", Lang::Tr)
        );
        // The dotted capital I of Turkish lower-cases with a combining dot.
        let norm = crate::normalize::normalize_word("İstanbul");
        assert_eq!(
            content_term(&norm, Lang::Tr),
            content_term("istanbul", Lang::Tr)
        );
    }

    #[test]
    fn polish_stemmer_keeps_short_words_whole() {
        assert_eq!(stem_polish("dom"), "dom");
        assert_eq!(stem_polish("domu"), "domu");
        assert_eq!(stem_polish("wyborów"), "wybor");
        assert_eq!(stem_polish("polskiego"), "polski");
    }

    #[test]
    fn cjk_runs_give_overlapping_bigrams() {
        assert_eq!(terms("地震发生", Lang::Zh), ["地震", "震发", "发生"]);
        // Punctuation or a space breaks a run; a lone character is a unigram.
        assert_eq!(terms("地震，发生 京", Lang::Zh), ["地震", "发生", "京"]);
        // Stopword bigrams (我们) and pairs of stop characters (们的) drop out.
        assert_eq!(terms("我们的国家", Lang::Zh), ["的国", "国家"]);
        // Mixed scripts: Latin words stay whole.
        assert_eq!(
            terms("华为 Huawei 手机", Lang::Zh),
            ["华为", "huawei", "手机"]
        );
        // Bigrams whatever the article's language.
        assert_eq!(terms("東京都", Lang::Other), ["東京", "京都"]);
    }

    #[test]
    fn han_text_gives_character_shingles_with_byte_offsets() {
        use crate::model::{DocId, NormDoc};
        let text = "市议会周二投票决定关闭旧桥。";
        let tokens = tokenize(text);
        assert_eq!(tokens.len(), 13);
        assert_eq!(&text[tokens[4].text_range()], "二");
        assert_eq!(tokens[4].text_range(), 12..15);
        let doc = NormDoc::new(DocId(0), Lang::Zh, tokens);
        // One 5-shingle per run of 5 characters.
        assert_eq!(crate::shingle::shingle_set(&doc, 5, 1).0.len(), 9);
    }

    #[test]
    fn suppressed_tokens_break_cjk_runs() {
        let tokens = tokenize("雪山湖水");
        let mut out = Vec::new();
        for_each_content_term(
            &tokens,
            Lang::Zh,
            |i| i != 1,
            |t, _| out.push(t.to_string()),
        );
        assert_eq!(out, ["雪", "湖水"]);
    }

    #[test]
    fn detection_on_own_fixtures() {
        let cases = [
            (Lang::En, "The city council voted on Tuesday to close the old bridge after engineers warned that its supports were failing."),
            (Lang::De, "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke zu schließen, nachdem Ingenieure vor Schäden gewarnt hatten."),
            (Lang::Es, "El ayuntamiento votó el martes cerrar el viejo puente después de que los ingenieros advirtieran que sus soportes fallaban."),
            (Lang::Fr, "Le conseil municipal a voté mardi la fermeture du vieux pont après que des ingénieurs ont averti que ses appuis cédaient."),
            (Lang::It, "Il consiglio comunale ha votato martedì la chiusura del vecchio ponte dopo che gli ingegneri avevano avvertito del pericolo."),
            (Lang::Pl, "Rada miasta zagłosowała we wtorek za zamknięciem starego mostu, po tym jak inżynierowie ostrzegli przed awarią podpór."),
            (Lang::Ru, "Городской совет во вторник проголосовал за закрытие старого моста после того, как инженеры предупредили об опасности."),
            (Lang::Tr, "Belediye meclisi salı günü, mühendislerin desteklerin çöktüğü uyarısının ardından eski köprünün kapatılmasına karar verdi."),
            (Lang::Ar, "صوت مجلس المدينة يوم الثلاثاء على إغلاق الجسر القديم بعد أن حذر المهندسون من أن دعاماته تتداعى."),
            (Lang::Zh, "市议会周二投票决定关闭这座旧桥，此前工程师警告说桥墩正在失效。"),
        ];
        for (want, text) in cases {
            assert_eq!(detect(None, text), want, "{text}");
            assert_eq!(detect_tokens(None, text, &tokenize(text)), want, "{text}");
        }
        assert_eq!(detect(None, ""), Lang::Other);
        assert_eq!(detect(None, "12 34 ... !!"), Lang::Other);
    }

    #[test]
    fn voting_decides_clear_cases_and_defers_the_rest() {
        let de = "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke zu schließen, nachdem die Ingenieure vor den Schäden an den Pfeilern gewarnt hatten und es keine andere Lösung mehr gab. Die Bürger sind darüber nicht froh, weil sie jetzt einen langen Umweg fahren müssen.";
        assert_eq!(vote(&tokenize(de)), Some(Lang::De));
        let en = "The council said that it would close the bridge because the engineers had warned that it was not safe, and there was no other way to fix it before the winter.";
        assert_eq!(vote(&tokenize(en)), Some(Lang::En));
        // Too few words to vote: trigram detection decides.
        assert_eq!(vote(&tokenize("Der Stadtrat tagt")), None);
        // Mostly CJK: told by script.
        assert_eq!(vote(&tokenize("地震发生")), Some(Lang::Zh));
        assert_eq!(vote(&tokenize("東京で地震が発生した")), Some(Lang::Ja));
        assert_eq!(
            vote(&tokenize("서울에서 지진이 발생했다")),
            Some(Lang::Other)
        );
        // Under 1 % listed stopwords in 20 words or more: no profile applies.
        let none = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20";
        assert_eq!(vote(&tokenize(none)), Some(Lang::Other));
        assert_eq!(vote(&tokenize(&none[..20])), None);
        // Close languages share stopwords; only words one list holds vote.
        let es = "El gobierno dijo que las obras del puente terminarán en mayo, pero los vecinos temen que se retrasen otra vez por la falta de dinero. Según el alcalde, los trabajos costarán más de lo previsto porque las lluvias del invierno dañaron los pilares.";
        assert_eq!(vote(&tokenize(es)), Some(Lang::Es));
        // Voting agrees with trigram detection on every fixture it decides.
        for text in [de, en, es] {
            assert_eq!(
                detect_tokens(None, text, &tokenize(text)),
                detect(None, text)
            );
        }
    }

    #[test]
    fn detection_reads_only_a_prefix() {
        let body = format!(
            "{} {}",
            "Der Stadtrat hat beschlossen, die Brücke zu schließen. ".repeat(60),
            "The council voted to close the bridge. ".repeat(200)
        );
        assert_eq!(detect(None, &body), Lang::De);
        // A cut inside a multi-byte character is safe.
        let ru = "проголосовал ".repeat(400);
        assert_eq!(detect(Some("Совет"), &ru), Lang::Ru);
    }
}
