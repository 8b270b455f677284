//! Where a speaker candidate attaches in its noun phrase: the object of a preposition after
//! another expression ("Jane Doe of Human Rights Watch", "a spokesman for Smith"), the
//! possessor of a role noun ("Smith's campaign", "Smith's office"), or one of two names joined
//! by "and". Features of the speaker decision, in their own namespace: which of the words of
//! one noun phrase speaks is learnt from them.

use super::{Ctx, Kind};
use sitrep_learn::Features;
use sitrep_text::TokenKind;

/// Prepositions after which a name modifies the expression before it.
const PREPOSITIONS: &[&str] = &["of", "for", "to", "at", "with", "from", "in"];

impl Ctx<'_> {
    /// The expression `i` is the object of a preposition (and an article) right after another
    /// expression (at most two lower-case words between: "a former adviser to"): that
    /// expression's kind.
    pub(super) fn modifies(&self, i: usize) -> Option<&'static str> {
        let e = &self.idx.exprs[i];
        let mut p = e.first.checked_sub(1)?;
        if matches!(self.low(p), "the" | "a" | "an") {
            p = p.checked_sub(1)?;
        }
        if !PREPOSITIONS.contains(&self.low(p)) {
            return None;
        }
        let prev = &self.idx.exprs[..i].last()?;
        let gap = p.checked_sub(prev.end)?;
        if gap > 2 || prev.sentence != e.sentence {
            return None;
        }
        let lower = (prev.end..p).all(|k| {
            self.doc.tokens[k].kind == TokenKind::Word && self.starts_lower(k) && !self.is_verb(k)
        });
        lower.then_some(match prev.kind {
            Kind::Name => "name",
            Kind::Pronoun => "pron",
            Kind::Role => "role",
        })
    }

    /// The expression `i` is followed by a possessive and the role or body noun of the next
    /// expression ("Smith's campaign", "Smith's spokeswoman"): that noun.
    pub(super) fn possesses(&self, i: usize) -> Option<&str> {
        let e = &self.idx.exprs[i];
        let is_poss = self
            .doc
            .tokens
            .get(e.end)
            .is_some_and(|t| t.kind == TokenKind::Possessive);
        let next = self.idx.exprs.get(i + 1)?;
        (is_poss && next.kind == Kind::Role && next.first <= e.end + 2).then_some(next.key.as_str())
    }

    /// The expression `i` ends a noun phrase that another expression begins, one to four
    /// lower-case words (not speech verbs) between them, a possessive allowed ("Republican
    /// political consultant Chris Russell", "the Post's senior editor Steven Ginsberg"): how many
    /// words, and whether a speech verb governs the phrase ("said Clinton aide Jake Sullivan").
    pub(super) fn premodified(&self, i: usize) -> Option<(usize, bool)> {
        let e = &self.idx.exprs[i];
        let prev = self.idx.exprs[..i].last()?;
        if prev.sentence != e.sentence || prev.end >= e.first {
            return None;
        }
        let mut k = prev.end;
        if self.doc.tokens[k].kind == TokenKind::Possessive {
            k += 1;
        }
        let words = e.first.checked_sub(k)?;
        let lower = (k..e.first).all(|j| {
            self.doc.tokens[j].kind == TokenKind::Word && self.starts_lower(j) && !self.is_verb(j)
        });
        if !(1..=4).contains(&words) || !lower {
            return None;
        }
        let mut v = prev.first.checked_sub(1);
        if v.is_some_and(|v| matches!(self.low(v), "the" | "a" | "an")) {
            v = v.and_then(|v| v.checked_sub(1));
        }
        Some((words, v.is_some_and(|v| self.is_verb(v))))
    }

    /// Attachment features of speaker candidate expression `i` on `side` of the quote.
    pub(super) fn attach_features(&self, i: usize, side: &str, f: &mut Features) {
        let kind = super::kind_name(&self.idx.exprs[i]);
        if let Some((words, verb)) = self.premodified(i) {
            f.add2("tpre", side, &format!("{}{}", words.min(3), u8::from(verb)));
            f.add2("tprek", &kind, &words.min(3).to_string());
        }
        if let Some(m) = self.modifies(i) {
            f.add2("tmod", side, m);
            f.add2("tmodk", &kind, m);
        }
        if let Some(noun) = self.possesses(i) {
            f.add2("tposs", side, noun);
            f.flag("tposs1");
        }
        let coordinated = |a: usize, b: usize| {
            let (x, y) = (&self.idx.exprs[a], &self.idx.exprs[b]);
            x.kind == Kind::Name
                && y.kind == Kind::Name
                && y.first == x.end + 1
                && self.low(x.end) == "and"
        };
        if i > 0 && coordinated(i - 1, i) {
            f.add2("tand", side, "second");
        }
        if i + 1 < self.idx.exprs.len() && coordinated(i, i + 1) {
            f.add2("tand", side, "first");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::with_ctx;

    #[test]
    fn a_name_after_a_role_and_a_preposition_modifies_it() {
        with_ctx(
            "A spokesman for Smith said no. Jane Doe of the Acme Group said yes.",
            |ctx, idx| {
                let at = |key: &str| idx.exprs.iter().position(|e| e.key == key).unwrap();
                assert_eq!(ctx.modifies(at("smith")), Some("role"));
                assert_eq!(ctx.modifies(at("group")), Some("name"));
                assert_eq!(ctx.modifies(at("doe")), None);
            },
        );
    }

    #[test]
    fn a_name_after_an_affiliation_and_lower_case_role_words_ends_its_phrase() {
        with_ctx(
            "No, said Republican political consultant Chris Russell. The Post's senior editor Ann Lee agreed. Smith said Jones left.",
            |ctx, idx| {
                let at = |key: &str| idx.exprs.iter().position(|e| e.key == key).unwrap();
                assert_eq!(ctx.premodified(at("russell")), Some((2, true)), "{:?}", idx.exprs);
                // "editor" is a title, part of Ann Lee's expression: one word between.
                assert!(ctx.premodified(at("lee")).is_some_and(|(_, verb)| !verb));
                assert_eq!(ctx.premodified(at("jones")), None);
                assert_eq!(ctx.premodified(at("republican")), None);
            },
        );
    }

    #[test]
    fn a_name_before_a_possessive_role_noun_possesses_it() {
        with_ctx("Smith's campaign said no. Jones said yes.", |ctx, idx| {
            let at = |key: &str| idx.exprs.iter().position(|e| e.key == key).unwrap();
            assert_eq!(ctx.possesses(at("smith")), Some("campaign"));
            assert_eq!(ctx.possesses(at("jones")), None);
            assert_eq!(idx.exprs[at("smith") + 1].key, "campaign");
        });
    }
}
