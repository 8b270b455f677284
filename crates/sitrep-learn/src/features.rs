//! Hashed features: a feature is a string, kept only as its 32-bit FNV-1a hash.

const OFFSET: u32 = 0x811c_9dc5;
const PRIME: u32 = 0x0100_0193;

fn fnv(mut h: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// The FNV-1a hash of `s`: the id of the feature named `s`.
pub fn hash(s: &str) -> u32 {
    fnv(OFFSET, s.as_bytes())
}

/// The feature ids of one decision, built from a namespace and a value so no string is
/// formatted: `f.add("w", "kyiv")` is the feature "w=kyiv".
#[derive(Debug, Clone, Default)]
pub struct Features {
    ids: Vec<u32>,
}

impl Features {
    /// An empty set.
    pub fn new() -> Features {
        Features::default()
    }

    /// Adds the feature `name=value`.
    pub fn add(&mut self, name: &str, value: &str) {
        let h = fnv(fnv(OFFSET, name.as_bytes()), b"=");
        self.ids.push(fnv(h, value.as_bytes()));
    }

    /// Adds the feature `name=a|b`, a conjunction of two values.
    pub fn add2(&mut self, name: &str, a: &str, b: &str) {
        let h = fnv(fnv(fnv(OFFSET, name.as_bytes()), b"="), a.as_bytes());
        self.ids.push(fnv(fnv(h, b"|"), b.as_bytes()));
    }

    /// Adds a feature that has no value (a flag), such as "bias".
    pub fn flag(&mut self, name: &str) {
        self.ids.push(hash(name));
    }

    /// Adds a feature id computed elsewhere.
    pub fn push(&mut self, id: u32) {
        self.ids.push(id);
    }

    /// The feature ids, in the order added.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Empties the set, keeping its allocation.
    pub fn clear(&mut self) {
        self.ids.clear();
    }

    /// The number of features added.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no feature was added.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Takes the ids out.
    pub fn into_ids(self) -> Vec<u32> {
        self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_value_hashes_as_its_joined_string() {
        let mut f = Features::new();
        f.add("w", "kyiv");
        f.add2("ww", "in", "kyiv");
        assert_eq!(f.ids(), &[hash("w=kyiv"), hash("ww=in|kyiv")]);
    }

    #[test]
    fn fnv1a_matches_its_published_test_vector() {
        assert_eq!(hash(""), 0x811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c);
    }
}
