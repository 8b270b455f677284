//! The one normal form for place names, shared by the index builder and lookups.

/// Fold one char to ASCII-ish lowercase: diacritics dropped, ligatures expanded. Chars of other
/// scripts are lowercased and kept. `None` means "drop this char".
fn fold(c: char, out: &mut String) {
    let s: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' | 'ạ' | 'ả' | 'ấ' | 'ầ' => {
            "a"
        }
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ẹ' | 'ế' | 'ề' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' | 'ḥ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' | 'ị' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ǒ' | 'ọ' | 'ồ' | 'ố' => {
            "o"
        }
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' | 'ṣ' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' | 'ṭ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' | 'ụ' | 'ư' => {
            "u"
        }
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'ẓ' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        // Apostrophes, transliteration primes and dots vanish: "Kam'yanka" = "Kamyanka".
        '\'' | '’' | '‘' | 'ʼ' | 'ʻ' | '`' | '´' | '.' | 'ʹ' | 'ʺ' => "",
        '-' | '‐' | '‑' | '–' | ' ' | '_' | '/' | ',' => " ",
        _ => {
            for l in c.to_lowercase() {
                match l {
                    'a'..='z' | '0'..='9' => out.push(l),
                    l if l.is_ascii() => {}
                    l if !l.is_alphanumeric() => {}
                    l => out.push(l),
                }
            }
            return;
        }
    };
    out.push_str(s);
}

/// The normal form of a name: lowercase, diacritics folded, apostrophes and dots dropped,
/// hyphens and runs of spaces made one space.
///
/// ```
/// use sitrep_gazetteer::normalize;
/// assert_eq!(normalize("Rostov-on-Don"), "rostov on don");
/// assert_eq!(normalize("Kam’yanka"), "kamyanka");
/// assert_eq!(normalize("Türkiye"), "turkiye");
/// ```
pub fn normalize(name: &str) -> String {
    let mut raw = String::with_capacity(name.len());
    for c in name.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        fold(lower, &mut raw);
    }
    let mut out = String::with_capacity(raw.len());
    for w in raw.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}
