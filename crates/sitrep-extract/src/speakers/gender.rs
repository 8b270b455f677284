//! A name's gender read from each of its sources apart, for the antecedent decision: the
//! pronoun after this mention (which may be another person's: "Trump waved, and she switched
//! off the television"), the first name's learnt gender, and the pronouns after all of the
//! name's mentions in the report, with how strong their majority is. The ranker weighs the
//! sources; the combined reading ([`Ctx::agreement`]) stays a feature of its own.

use super::{pronoun_gender, Ctx};
use sitrep_learn::Features;

/// How one source's gender compares with the anaphor's: "ok", "bad" or "unk" (none known).
fn agree(g: u8, want: u8) -> &'static str {
    match g {
        0 => "unk",
        g if g == want => "ok",
        _ => "bad",
    }
}

/// The report's pronoun counts after a name (masculine, feminine) read against the wanted
/// gender: which side has the majority, and whether it is strong (two or more, at least twice
/// the other side).
fn report_agreement(m: u32, fe: u32, want: u8) -> &'static str {
    let (ours, theirs) = if want == 1 { (m, fe) } else { (fe, m) };
    let strong = |a: u32, b: u32| a >= 2 && a >= 2 * b;
    match ours.cmp(&theirs) {
        std::cmp::Ordering::Equal if ours == 0 => "unk",
        std::cmp::Ordering::Equal => "mixed",
        std::cmp::Ordering::Greater if strong(ours, theirs) => "ok2",
        std::cmp::Ordering::Greater => "ok1",
        std::cmp::Ordering::Less if strong(theirs, ours) => "bad2",
        std::cmp::Ordering::Less => "bad1",
    }
}

impl Ctx<'_> {
    /// The gender sources of name expression `j` as the antecedent of anaphor `a` (a "he" or
    /// "she"; nothing for other anaphors), each read apart and in pairs, and how many of them
    /// agree less how many disagree.
    pub(super) fn gender_source_features(&self, a: usize, j: usize, w: &str, f: &mut Features) {
        let want = pronoun_gender(&self.idx.exprs[a].key);
        if want == 0 {
            return;
        }
        let local = agree(self.local_gender(a, j), want);
        let own = self.own_first_name_gender(j);
        let first = agree(
            if own != 0 {
                own
            } else {
                self.learned_gender(j)
            },
            want,
        );
        let (m, fe) = self.report_genders(a, j);
        let report = report_agreement(m, fe, want);
        f.add2("gsl", w, local);
        f.add2("gsf", w, first);
        f.add2("gsr", w, report);
        f.add2("gslf", w, &format!("{local}|{first}"));
        f.add2("gslr", w, &format!("{local}|{report}"));
        f.add2("gsfr", w, &format!("{first}|{report}"));
        let votes: i32 = [local, first, report]
            .iter()
            .map(|s| {
                if s.starts_with("ok") {
                    1
                } else if s.starts_with("bad") {
                    -1
                } else {
                    0
                }
            })
            .sum();
        f.add2("gsv", w, &votes.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_agrees_disagrees_or_knows_nothing() {
        assert_eq!(agree(1, 1), "ok");
        assert_eq!(agree(2, 1), "bad");
        assert_eq!(agree(0, 2), "unk");
    }

    #[test]
    fn the_report_s_majority_is_read_with_its_strength() {
        assert_eq!(report_agreement(0, 0, 1), "unk");
        assert_eq!(report_agreement(1, 1, 2), "mixed");
        assert_eq!(report_agreement(5, 1, 1), "ok2");
        assert_eq!(report_agreement(3, 2, 1), "ok1");
        assert_eq!(report_agreement(5, 1, 2), "bad2");
        assert_eq!(report_agreement(1, 0, 2), "bad1");
    }

    #[test]
    fn a_stray_pronoun_after_a_mention_is_outvoted_by_the_report() {
        super::super::tests::with_ctx(
            "Tom Ware spoke. He left. Ware said he was tired. Ware waved, and she turned it off. She left.",
            |ctx, idx| {
                let she = idx.exprs.iter().rposition(|e| e.key == "she").unwrap();
                let ware = idx.exprs.iter().rposition(|e| e.key == "ware").unwrap();
                let mut f = Features::new();
                ctx.gender_source_features(she, ware, "pron:she", &mut f);
                let mut want = Features::new();
                want.add2("gsl", "pron:she", "ok");
                want.add2("gsr", "pron:she", "bad2");
                let got = f.into_ids();
                assert!(want.into_ids().iter().all(|id| got.contains(id)));
            },
        );
    }
}
