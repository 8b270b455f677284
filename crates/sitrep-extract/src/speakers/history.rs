//! What the report has said before an anaphor: who spoke the recent quotes, which names were the
//! subjects of speech verbs, and which capitalised words are names at all. Features of the
//! antecedent decision (and of the speaker decision, for name-ness), in their own namespaces.

use super::{bucket, Ctx, Kind, Said};
use sitrep_learn::{rank, Features};
use sitrep_text::{Document, TokenKind};
use std::collections::HashSet;

/// How many distinct recent speakers [`Said`] keeps.
pub const RECENT: usize = 5;

/// The lowercase words a report also writes in lower case ("later", "one", "will"): a
/// capitalised run of one of them is likely a sentence opening, not a name.
pub fn lowercase_words(doc: &Document, low: &[String]) -> HashSet<String> {
    doc.tokens
        .iter()
        .enumerate()
        .filter(|(k, t)| t.kind == TokenKind::Word && doc.tok(*k).starts_with(char::is_lowercase))
        .map(|(k, _)| low[k].clone())
        .collect()
}

impl Said {
    /// How many distinct speakers ago `key` spoke (0: the previous quote's), if recently.
    pub fn ago(&self, key: &str) -> Option<usize> {
        self.recent.iter().position(|k| k == key)
    }

    /// Records that a "he" (1) or "she" (2) speaker was resolved to `key` (0: not a pronoun);
    /// the latest resolution stands.
    pub fn note_gender(&mut self, key: Option<&str>, gender: u8) {
        if let (Some(k), 1 | 2) = (key, gender) {
            self.genders.insert(k.to_string(), gender);
        }
    }

    /// Does the gender earlier pronouns resolved to `key` gave agree with anaphor `pronoun`:
    /// "ok", "bad", or "-" (no such pronoun, or the anaphor has no gender)?
    pub fn chain_agreement(&self, key: &str, pronoun: &str) -> &'static str {
        let want = match super::pronoun_gender(pronoun) {
            0 => return "-",
            g => g,
        };
        match self.genders.get(key) {
            Some(&g) if g == want => "ok",
            Some(_) => "bad",
            None => "-",
        }
    }
}

impl Ctx<'_> {
    /// Is expression `j` the subject of a speech verb ("X said", "X, the mayor, told") or the
    /// subject after one ("said X", "said the senator X")?
    pub(super) fn speech_subject(&self, j: usize) -> bool {
        let e = &self.idx.exprs[j];
        let before = |k: usize| if k == 0 { "" } else { self.low(k - 1) };
        self.verb_after(e.end).is_some()
            || e.first > 0 && self.is_verb(e.first - 1)
            || (matches!(before(e.first), "the" | "a" | "an")
                && e.first > 1
                && self.is_verb(e.first - 2))
    }

    /// Is name expression `e`'s key a word the report also writes in lower case?
    pub(super) fn common_word(&self, key: &str) -> bool {
        self.idx.lower_words.contains(key)
    }

    /// Features of antecedent `ants[r]` for anaphor `a` from the report's history: whether it
    /// spoke recently, whether it is a speech verb's subject and how many compatible speech
    /// subjects are nearer, how many paragraphs back it is, and whether its name is a common word.
    pub(super) fn history_features(
        &self,
        a: usize,
        (ants, compat): (&[usize], &[&str]),
        r: usize,
        said: &Said,
        w: &str,
        f: &mut Features,
    ) {
        let an = &self.idx.exprs[a];
        let j = ants[r];
        let e = &self.idx.exprs[j];
        let ago = said.ago(&e.key).map_or("-".to_string(), |n| n.to_string());
        f.add2("hago", w, &ago);
        let chain = said.chain_agreement(&e.key, &an.key);
        f.add2("hchg", w, chain);
        f.add2("hchgc", &format!("{w}{}", compat[r]), chain);
        f.add2("hagoc", &format!("{w}{}", compat[r]), &ago);
        let sv = self.speech_subject(j);
        let nearer = (0..r)
            .filter(|&o| compat[o] != "bad" && self.speech_subject(ants[o]))
            .count();
        f.add2("hsv", w, if sv { "1" } else { "0" });
        if sv {
            f.add2("hsvr", w, &format!("{}{}", compat[r], bucket(nearer)));
        }
        let pd = an.paragraph.saturating_sub(e.paragraph);
        f.add2("hpd", w, bucket(pd));
        if e.kind == Kind::Name && e.end - e.head == 1 {
            let common = self.common_word(&e.key);
            f.add2("hlc", w, if common { "1" } else { "0" });
        }
        f.add2("hshape", w, &self.name_shape(e));
    }

    /// Features of speaker candidate `cands[c]` from the report's history and its neighbours:
    /// whether its name spoke a recent quote, and whether a name follows it after a few lower-case
    /// words (an affiliation before a role and a name: "Smith campaign manager Jane Doyle").
    pub(super) fn speaker_history_features(
        &self,
        site: &super::Site,
        cands: &[usize],
        c: usize,
        said: &Said,
    ) -> Vec<u32> {
        let e = &self.idx.exprs[cands[c]];
        let mut f = Features::new();
        let side = if e.first < self.doc.token_at(site.outer.start) {
            "before"
        } else {
            "after"
        };
        let kind = super::kind_name(e);
        // Whether its name spoke a recent quote was tried here too: it lowered CV accuracy.
        let _ = said;
        if let Some(n) = self.name_after_lowercase(cands[c]) {
            f.add2("snext", &kind, &format!("{side}{n}"));
        }
        f.into_ids()
    }

    /// How many lower-case words (one to three, no speech verb) separate expression `i` from a
    /// name expression right after it.
    fn name_after_lowercase(&self, i: usize) -> Option<usize> {
        let e = &self.idx.exprs[i];
        let next = self.idx.exprs[i + 1..]
            .iter()
            .take_while(|x| x.first <= e.end + 3)
            .find(|x| x.kind == Kind::Name)?;
        let gap = next.first.checked_sub(e.end)?;
        let lower = (e.end..next.first).all(|k| {
            self.doc.tokens[k].kind == TokenKind::Word && self.starts_lower(k) && !self.is_verb(k)
        });
        (next.kind == Kind::Name && (1..=3).contains(&gap) && lower).then_some(gap)
    }

    /// Name-ness of a speaker candidate: a one-word name the report also writes in lower case,
    /// and the shape of the words (see [`Ctx::name_shape`]).
    pub(super) fn name_features(&self, e: &super::Expr, f: &mut Features) {
        if e.kind == Kind::Name && e.end - e.head == 1 {
            let common = self.common_word(&e.key);
            f.add("slc", if common { "1" } else { "0" });
        }
        if e.kind == Kind::Name {
            f.add("sshape", &self.name_shape(e));
        }
    }

    /// The shape of a name's words: "caps" in capitals throughout (a headline), else how many of
    /// the words after its first the report also writes in lower case ("Experience Of Serving
    /// Under Obama": a headline, not a name; "White House": one).
    pub(super) fn name_shape(&self, e: &super::Expr) -> String {
        let words = (e.head..e.end).filter(|&k| self.doc.tokens[k].kind == TokenKind::Word);
        let caps = words.clone().all(|k| {
            let t = self.doc.tok(k);
            t.chars().count() > 1 && !t.chars().any(char::is_lowercase)
        });
        if caps && e.end - e.head > 1 {
            return "caps".into();
        }
        let common = words
            .skip(1)
            .filter(|&k| self.common_word(self.low(k)))
            .count();
        bucket(common).to_string()
    }

    /// The gender the learnt lexicon gives the first name of mention `j` itself (not its
    /// fullest form): 1 masculine, 2 feminine, 0 none or unknown.
    pub(super) fn own_first_name_gender(&self, j: usize) -> u8 {
        let e = &self.idx.exprs[j];
        if e.end - e.head < 2 {
            return 0;
        }
        let w = rank::score(self.model, &[super::gender_word_id(self.low(e.head))]);
        if w > super::GENDER_MARGIN {
            1
        } else if w < -super::GENDER_MARGIN {
            2
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::tests::with_ctx;

    #[test]
    fn lowercase_words_are_those_written_in_lower_case() {
        let doc = Document::new("Later, Will said he will go later.".into());
        let low: Vec<String> = (0..doc.tokens.len())
            .map(|k| doc.tok(k).to_lowercase())
            .collect();
        let got = lowercase_words(&doc, &low);
        assert!(got.contains("later") && got.contains("will"));
        let doc = Document::new("Brown said so.".into());
        let low: Vec<String> = (0..doc.tokens.len())
            .map(|k| doc.tok(k).to_lowercase())
            .collect();
        assert!(!lowercase_words(&doc, &low).contains("brown"));
    }

    #[test]
    fn a_name_after_an_affiliation_and_a_role_follows_it_by_lower_case_words() {
        with_ctx(
            "Smith campaign manager Jane Doyle said no. Obama said no.",
            |ctx, idx| {
                let at = |key: &str| idx.exprs.iter().position(|e| e.key == key).unwrap();
                assert_eq!(ctx.name_after_lowercase(at("smith")), Some(2));
                assert_eq!(ctx.name_after_lowercase(at("doyle")), None);
                assert!(ctx.speech_subject(at("doyle")));
                assert!(!ctx.speech_subject(at("smith")));
            },
        );
    }

    #[test]
    fn headline_words_and_capitals_give_a_name_its_shape() {
        with_ctx("RETIRED NURSES SPEAK\nLife Of Working Under Obama\nJohn Smith spoke of working under him.", |ctx, idx| {
            let shape = |key: &str| ctx.name_shape(idx.exprs.iter().find(|e| e.key == key).unwrap());
            assert_eq!(shape("smith"), "0");
            assert_eq!(shape("obama"), "3-5");
            assert_eq!(
                idx.exprs[0].end - idx.exprs[0].head,
                3,
                "{:?}",
                idx.exprs[0]
            );
            assert_eq!(ctx.name_shape(&idx.exprs[0]), "caps");
        });
    }

    #[test]
    fn a_mention_with_its_own_first_name_has_that_name_s_gender() {
        with_ctx(
            "Donald Trump left. Hillary Trump stayed. Trump spoke.",
            |ctx, idx| {
                let heads: Vec<u8> = (0..idx.exprs.len())
                    .filter(|&j| idx.exprs[j].key == "trump")
                    .map(|j| ctx.own_first_name_gender(j))
                    .collect();
                // Donald's, none for a bare surname, and Hillary's own (feminine, or unknown where the
                // learnt share is near even): never Donald's.
                assert_eq!((heads[0], heads[2]), (1, 0));
                let hillary = rank::score(ctx.model, &[super::super::gender_word_id("hillary")]);
                assert!(hillary < 0.0);
                assert_eq!(
                    heads[1],
                    if hillary < -super::super::GENDER_MARGIN {
                        2
                    } else {
                        0
                    }
                );
            },
        );
    }

    #[test]
    fn said_remembers_recent_distinct_speakers_most_recent_first() {
        let mut s = Said::default();
        for k in ["a", "b", "a", "c"] {
            s.record(Some(k));
        }
        assert_eq!(s.ago("c"), Some(0));
        assert_eq!(s.ago("a"), Some(1));
        assert_eq!(s.ago("b"), Some(2));
        s.record(None);
        assert_eq!(s.last, None);
        assert_eq!(s.ago("c"), Some(0));
    }

    #[test]
    fn a_resolved_pronoun_gives_its_name_a_gender_for_later_pronouns() {
        let mut s = Said::default();
        s.note_gender(Some("elmi"), 1);
        s.note_gender(Some("farah"), 0);
        assert_eq!(s.chain_agreement("elmi", "she"), "bad");
        assert_eq!(s.chain_agreement("elmi", "he"), "ok");
        assert_eq!(s.chain_agreement("farah", "she"), "-");
        assert_eq!(s.chain_agreement("elmi", "they"), "-");
    }
}
