//! Word classes learnt from unlabeled text: the exchange algorithm (Kneser and Ney 1993; Martin,
//! Liermann and Ney 1998) for a two-sided class bigram model.
//!
//! Every word belongs to one of `k` classes; a word is moved to the class that most raises the
//! likelihood of the corpus under p(w_i | w_{i-1}) = p(c_i | c_{i-1}) p(w_i | c_i), whose
//! class-dependent part is Σ N(c,d) log N(c,d) − Σ N(c,·) log N(c,·) − Σ N(·,d) log N(·,d).
//! Words that occur in the same contexts ("Kabul", "Baghdad") end in the same class, so a
//! tagger can generalise from the names it was trained on to names it has only seen in raw
//! text. Deterministic: words are visited in id order and ties keep the current class.

use std::collections::HashMap;

/// How [`exchange`] runs.
#[derive(Debug, Clone, Copy)]
pub struct ClusterOptions {
    /// The number of classes.
    pub classes: usize,
    /// The most passes over the vocabulary.
    pub iterations: usize,
}

/// Sparse bigram counts of each word with its right and left neighbours.
struct Bigrams {
    right: Vec<Vec<(u32, f64)>>,
    left: Vec<Vec<(u32, f64)>>,
}

fn bigrams(corpus: &[Vec<u32>], words: usize) -> Bigrams {
    let mut counts: HashMap<(u32, u32), f64> = HashMap::new();
    let boundary = words as u32;
    for s in corpus {
        let mut prev = boundary;
        for &w in s.iter().chain(std::iter::once(&boundary)) {
            *counts.entry((prev, w)).or_insert(0.0) += 1.0;
            prev = w;
        }
    }
    let mut pairs: Vec<((u32, u32), f64)> = counts.into_iter().collect();
    pairs.sort_by_key(|p| p.0);
    let mut b = Bigrams {
        right: vec![Vec::new(); words + 1],
        left: vec![Vec::new(); words + 1],
    };
    for ((v, w), n) in pairs {
        b.right[v as usize].push((w, n));
        b.left[w as usize].push((v, n));
    }
    b
}

fn xlogx(x: f64) -> f64 {
    if x > 0.0 {
        x * x.ln()
    } else {
        0.0
    }
}

/// The class-bigram state the exchange moves words within.
struct State {
    k: usize,
    class: Vec<usize>,
    n: Vec<f64>,
    out: Vec<f64>,
    inn: Vec<f64>,
}

impl State {
    fn at(&mut self, c: usize, d: usize) -> &mut f64 {
        &mut self.n[c * (self.k + 1) + d]
    }
}

/// The counts of one word's bigrams by the class of the other word.
struct Neighbours {
    l: Vec<f64>,
    r: Vec<f64>,
    lt: Vec<usize>,
    rt: Vec<usize>,
    own: f64,
    nout: f64,
    nin: f64,
}

fn neighbours(st: &State, b: &Bigrams, w: usize, nb: &mut Neighbours) {
    for &c in &nb.lt {
        nb.l[c] = 0.0;
    }
    for &c in &nb.rt {
        nb.r[c] = 0.0;
    }
    nb.lt.clear();
    nb.rt.clear();
    nb.own = 0.0;
    (nb.nout, nb.nin) = (0.0, 0.0);
    for &(v, n) in &b.left[w] {
        nb.nin += n;
        if v as usize == w {
            nb.own += n;
            continue;
        }
        let c = st.class[v as usize];
        if nb.l[c] == 0.0 {
            nb.lt.push(c);
        }
        nb.l[c] += n;
    }
    for &(v, n) in &b.right[w] {
        nb.nout += n;
        if v as usize == w {
            continue;
        }
        let c = st.class[v as usize];
        if nb.r[c] == 0.0 {
            nb.rt.push(c);
        }
        nb.r[c] += n;
    }
}

/// Adds (`sign` 1) or removes (`sign` −1) a word with neighbours `nb` to class `a`.
fn shift(st: &mut State, nb: &Neighbours, a: usize, sign: f64) {
    for &c in &nb.lt {
        *st.at(c, a) += sign * nb.l[c];
    }
    for &c in &nb.rt {
        *st.at(a, c) += sign * nb.r[c];
    }
    *st.at(a, a) += sign * nb.own;
    st.out[a] += sign * nb.nout;
    st.inn[a] += sign * nb.nin;
}

/// The change of the objective if the word (already removed) joins class `b`.
fn gain(st: &State, nb: &Neighbours, b: usize) -> f64 {
    let k1 = st.k + 1;
    let mut g = 0.0;
    for &c in nb.lt.iter().filter(|&&c| c != b) {
        let x = st.n[c * k1 + b];
        g += xlogx(x + nb.l[c]) - xlogx(x);
    }
    for &c in nb.rt.iter().filter(|&&c| c != b) {
        let x = st.n[b * k1 + c];
        g += xlogx(x + nb.r[c]) - xlogx(x);
    }
    let x = st.n[b * k1 + b];
    g += xlogx(x + nb.l[b] + nb.r[b] + nb.own) - xlogx(x);
    g -= xlogx(st.out[b] + nb.nout) - xlogx(st.out[b]);
    g -= xlogx(st.inn[b] + nb.nin) - xlogx(st.inn[b]);
    g
}

/// Clusters the words `0..words` of `corpus` (sentences of word ids) into `opts.classes`
/// classes; returns each word's class. Words start in classes round-robin by id, so callers
/// should number words by falling frequency. Sentence boundaries count as a word of their own
/// that never moves.
pub fn exchange(corpus: &[Vec<u32>], words: usize, opts: ClusterOptions) -> Vec<usize> {
    let k = opts.classes.max(1);
    let b = bigrams(corpus, words);
    let mut class: Vec<usize> = (0..words).map(|w| w % k).collect();
    class.push(k);
    let mut st = State {
        k,
        class,
        n: vec![0.0; (k + 1) * (k + 1)],
        out: vec![0.0; k + 1],
        inn: vec![0.0; k + 1],
    };
    for (v, row) in b.right.iter().enumerate() {
        for &(w, n) in row {
            let (c, d) = (st.class[v], st.class[w as usize]);
            *st.at(c, d) += n;
            st.out[c] += n;
            st.inn[d] += n;
        }
    }
    let mut nb = Neighbours {
        l: vec![0.0; k + 1],
        r: vec![0.0; k + 1],
        lt: Vec::new(),
        rt: Vec::new(),
        own: 0.0,
        nout: 0.0,
        nin: 0.0,
    };
    for _ in 0..opts.iterations {
        let mut moved = 0;
        for w in 0..words {
            neighbours(&st, &b, w, &mut nb);
            let a = st.class[w];
            shift(&mut st, &nb, a, -1.0);
            let mut best = (a, gain(&st, &nb, a));
            for c in (0..k).filter(|&c| c != a) {
                let g = gain(&st, &nb, c);
                if g > best.1 + 1e-9 {
                    best = (c, g);
                }
            }
            shift(&mut st, &nb, best.0, 1.0);
            if best.0 != a {
                st.class[w] = best.0;
                moved += 1;
            }
        }
        if moved * 1000 < words {
            break;
        }
    }
    st.class.truncate(words);
    st.class
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_the_same_contexts_share_a_class() {
        // Ids 0-1 are determiners, 2-3 nouns, 4-5 verbs, mixed into sentences "det noun verb".
        let mut corpus = Vec::new();
        for i in 0..40u32 {
            corpus.push(vec![i % 2, 2 + (i / 2) % 2, 4 + (i / 4) % 2]);
        }
        let c = exchange(
            &corpus,
            6,
            ClusterOptions {
                classes: 3,
                iterations: 10,
            },
        );
        assert_eq!(c[0], c[1], "{c:?}");
        assert_eq!(c[2], c[3], "{c:?}");
        assert_eq!(c[4], c[5], "{c:?}");
        assert_ne!(c[0], c[2], "{c:?}");
        assert_ne!(c[2], c[4], "{c:?}");
    }

    #[test]
    fn clustering_is_deterministic() {
        let corpus: Vec<Vec<u32>> = (0..50u32).map(|i| vec![i % 7, (i * 3) % 7]).collect();
        let o = ClusterOptions {
            classes: 3,
            iterations: 5,
        };
        assert_eq!(exchange(&corpus, 7, o), exchange(&corpus, 7, o));
    }
}
