//! The Porter stemmer, as published by M. F. Porter, "An algorithm for suffix stripping",
//! *Program* 14(3), 1980.
//!
//! This is the **original** algorithm (steps 1a to 5b of the paper, with the paper's
//! `ABLI -> ABLE` rule), not Snowball's "Porter2" English stemmer, and not NLTK's default
//! `NLTK_EXTENSIONS` mode (which adds a handful of special cases such as `dying -> die` and the
//! later `-logi` / `-bli` rules of Porter's C release). Google's `rouge-score` uses NLTK's default
//! mode, so on a small number of rare words stems (and therefore stemmed ROUGE) can differ from
//! that package; see `docs/EVALUATION.md`.
//!
//! The stemmer works on lowercase ASCII words; anything else is returned unchanged.
//!
//! ```
//! use lede_summarize::porter::stem;
//! assert_eq!(stem("caresses"), "caress");
//! assert_eq!(stem("relational"), "relat");
//! assert_eq!(stem("hopping"), "hop");
//! assert_eq!(stem("generalizations"), "gener");
//! ```

/// Stems one lowercase ASCII word with the original Porter algorithm.
///
/// Words of one or two letters, and words with characters outside `a-z`, are returned as
/// they are.
pub fn stem(word: &str) -> String {
    if word.len() <= 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_string();
    }
    let mut w = Word {
        b: word.as_bytes().to_vec(),
    };
    w.step1a();
    w.step1b();
    w.step1c();
    w.step2();
    w.step3();
    w.step4();
    w.step5a();
    w.step5b();
    // Only ASCII lowercase letters ever enter or leave the buffer.
    String::from_utf8(w.b).unwrap_or_else(|_| word.to_string())
}

/// A word being stemmed, as bytes (all ASCII lowercase).
struct Word {
    b: Vec<u8>,
}

impl Word {
    /// Whether the letter at `i` is a consonant in Porter's sense: not a vowel, and `y` only
    /// when it follows a vowel or starts the word.
    fn is_consonant(&self, i: usize) -> bool {
        match self.b.get(i) {
            Some(b'a' | b'e' | b'i' | b'o' | b'u') => false,
            Some(b'y') => i == 0 || !self.is_consonant(i - 1),
            Some(_) => true,
            None => false,
        }
    }

    /// The measure m of the first `len` letters: the number of vowel-consonant sequences in
    /// the form `[C](VC)^m[V]`.
    fn measure(&self, len: usize) -> usize {
        let mut m = 0;
        let mut i = 0;
        // Skip the leading consonants.
        while i < len && self.is_consonant(i) {
            i += 1;
        }
        loop {
            // A run of vowels ...
            while i < len && !self.is_consonant(i) {
                i += 1;
            }
            if i >= len {
                return m;
            }
            // ... followed by a run of consonants closes one VC.
            while i < len && self.is_consonant(i) {
                i += 1;
            }
            m += 1;
            if i >= len {
                return m;
            }
        }
    }

    /// Whether the first `len` letters contain a vowel (`*v*`).
    fn has_vowel(&self, len: usize) -> bool {
        (0..len).any(|i| !self.is_consonant(i))
    }

    /// Whether the first `len` letters end in a double consonant (`*d`).
    fn ends_double_consonant(&self, len: usize) -> bool {
        len >= 2 && self.b[len - 1] == self.b[len - 2] && self.is_consonant(len - 1)
    }

    /// Whether the first `len` letters end consonant-vowel-consonant, the last consonant not
    /// being `w`, `x` or `y` (`*o`).
    fn ends_cvc(&self, len: usize) -> bool {
        if len < 3 {
            return false;
        }
        let last = self.b[len - 1];
        self.is_consonant(len - 1)
            && !self.is_consonant(len - 2)
            && self.is_consonant(len - 3)
            && !matches!(last, b'w' | b'x' | b'y')
    }

    fn ends_with(&self, suffix: &str) -> bool {
        self.b.ends_with(suffix.as_bytes())
    }

    /// Length of the word without `suffix` (the caller checked that it ends with it).
    fn stem_len(&self, suffix: &str) -> usize {
        self.b.len() - suffix.len()
    }

    fn replace_suffix(&mut self, suffix: &str, with: &str) {
        let keep = self.stem_len(suffix);
        self.b.truncate(keep);
        self.b.extend_from_slice(with.as_bytes());
    }

    /// Applies the rule of the longest suffix in `rules` that the word ends with, when the
    /// measure of the remaining stem is larger than `min_measure`. As in the paper, only the
    /// longest matching suffix is considered: if its condition fails, nothing changes.
    fn apply_longest(&mut self, rules: &[(&str, &str)], min_measure: usize) {
        let best = rules
            .iter()
            .filter(|(suffix, _)| self.ends_with(suffix))
            .max_by_key(|(suffix, _)| suffix.len());
        if let Some((suffix, with)) = best {
            if self.measure(self.stem_len(suffix)) > min_measure {
                self.replace_suffix(suffix, with);
            }
        }
    }

    /// Step 1a: plurals.
    fn step1a(&mut self) {
        if self.ends_with("sses") {
            self.replace_suffix("sses", "ss");
        } else if self.ends_with("ies") {
            self.replace_suffix("ies", "i");
        } else if self.ends_with("ss") {
            // SS -> SS
        } else if self.ends_with("s") {
            self.replace_suffix("s", "");
        }
    }

    /// Step 1b: past tenses and gerunds, with the clean-up of what they leave.
    fn step1b(&mut self) {
        if self.ends_with("eed") {
            if self.measure(self.stem_len("eed")) > 0 {
                self.replace_suffix("eed", "ee");
            }
            return;
        }
        let removed = if self.ends_with("ed") && self.has_vowel(self.stem_len("ed")) {
            self.replace_suffix("ed", "");
            true
        } else if self.ends_with("ing") && self.has_vowel(self.stem_len("ing")) {
            self.replace_suffix("ing", "");
            true
        } else {
            false
        };
        if !removed {
            return;
        }
        let len = self.b.len();
        if self.ends_with("at") {
            self.replace_suffix("at", "ate");
        } else if self.ends_with("bl") {
            self.replace_suffix("bl", "ble");
        } else if self.ends_with("iz") {
            self.replace_suffix("iz", "ize");
        } else if self.ends_double_consonant(len) && !matches!(self.b[len - 1], b'l' | b's' | b'z')
        {
            self.b.truncate(len - 1);
        } else if self.measure(len) == 1 && self.ends_cvc(len) {
            self.b.push(b'e');
        }
    }

    /// Step 1c: `y` to `i` after a vowel-bearing stem.
    fn step1c(&mut self) {
        if self.ends_with("y") && self.has_vowel(self.stem_len("y")) {
            self.replace_suffix("y", "i");
        }
    }

    /// Step 2: double suffixes to single ones (m > 0).
    fn step2(&mut self) {
        const RULES: &[(&str, &str)] = &[
            ("ational", "ate"),
            ("tional", "tion"),
            ("enci", "ence"),
            ("anci", "ance"),
            ("izer", "ize"),
            ("abli", "able"),
            ("alli", "al"),
            ("entli", "ent"),
            ("eli", "e"),
            ("ousli", "ous"),
            ("ization", "ize"),
            ("ation", "ate"),
            ("ator", "ate"),
            ("alism", "al"),
            ("iveness", "ive"),
            ("fulness", "ful"),
            ("ousness", "ous"),
            ("aliti", "al"),
            ("iviti", "ive"),
            ("biliti", "ble"),
        ];
        self.apply_longest(RULES, 0);
    }

    /// Step 3: `-ic-`, `-full`, `-ness` and friends (m > 0).
    fn step3(&mut self) {
        const RULES: &[(&str, &str)] = &[
            ("icate", "ic"),
            ("ative", ""),
            ("alize", "al"),
            ("iciti", "ic"),
            ("ical", "ic"),
            ("ful", ""),
            ("ness", ""),
        ];
        self.apply_longest(RULES, 0);
    }

    /// Step 4: remove the remaining suffixes when m > 1.
    fn step4(&mut self) {
        const SUFFIXES: &[&str] = &[
            "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion",
            "ou", "ism", "ate", "iti", "ous", "ive", "ize",
        ];
        let Some(suffix) = SUFFIXES
            .iter()
            .filter(|s| self.ends_with(s))
            .max_by_key(|s| s.len())
        else {
            return;
        };
        let len = self.stem_len(suffix);
        if *suffix == "ion" && !(len > 0 && matches!(self.b[len - 1], b's' | b't')) {
            return;
        }
        if self.measure(len) > 1 {
            self.b.truncate(len);
        }
    }

    /// Step 5a: a final `e`.
    fn step5a(&mut self) {
        if !self.ends_with("e") {
            return;
        }
        let len = self.stem_len("e");
        let m = self.measure(len);
        if m > 1 || (m == 1 && !self.ends_cvc(len)) {
            self.b.truncate(len);
        }
    }

    /// Step 5b: `-ll` to `-l` when m > 1.
    fn step5b(&mut self) {
        let len = self.b.len();
        if self.measure(len) > 1 && self.ends_double_consonant(len) && self.b[len - 1] == b'l' {
            self.b.truncate(len - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::stem;

    /// The examples Porter's paper gives for each step.
    #[test]
    fn examples_from_the_paper() {
        let cases = [
            // Step 1a.
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "ti"),
            ("caress", "caress"),
            ("cats", "cat"),
            // Step 1b.
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("bled", "bled"),
            ("motoring", "motor"),
            ("sing", "sing"),
            ("conflated", "conflat"),
            ("troubled", "troubl"),
            ("sized", "size"),
            ("hopping", "hop"),
            ("tanned", "tan"),
            ("falling", "fall"),
            ("hissing", "hiss"),
            ("fizzed", "fizz"),
            ("failing", "fail"),
            ("filing", "file"),
            // Step 1c.
            ("happy", "happi"),
            ("sky", "sky"),
            // Step 2 (full words, so later steps apply too).
            ("relational", "relat"),
            ("conditional", "condit"),
            ("rational", "ration"),
            ("valenci", "valenc"),
            ("hesitanci", "hesit"),
            ("digitizer", "digit"),
            ("conformabli", "conform"),
            ("radicalli", "radic"),
            ("differentli", "differ"),
            ("vileli", "vile"),
            ("analogousli", "analog"),
            ("vietnamization", "vietnam"),
            ("predication", "predic"),
            ("operator", "oper"),
            ("feudalism", "feudal"),
            ("decisiveness", "decis"),
            ("hopefulness", "hope"),
            ("callousness", "callous"),
            ("formaliti", "formal"),
            ("sensitiviti", "sensit"),
            ("sensibiliti", "sensibl"),
            // Step 3.
            ("triplicate", "triplic"),
            ("formative", "form"),
            ("formalize", "formal"),
            ("electriciti", "electr"),
            ("electrical", "electr"),
            ("hopeful", "hope"),
            ("goodness", "good"),
            // Step 4.
            ("revival", "reviv"),
            ("allowance", "allow"),
            ("inference", "infer"),
            ("airliner", "airlin"),
            ("gyroscopic", "gyroscop"),
            ("adjustable", "adjust"),
            ("defensible", "defens"),
            ("irritant", "irrit"),
            ("replacement", "replac"),
            ("adjustment", "adjust"),
            ("dependent", "depend"),
            ("adoption", "adopt"),
            ("homologou", "homolog"),
            ("communism", "commun"),
            ("activate", "activ"),
            ("angulariti", "angular"),
            ("homologous", "homolog"),
            ("effective", "effect"),
            ("bowdlerize", "bowdler"),
            // Step 5.
            ("probate", "probat"),
            ("rate", "rate"),
            ("cease", "ceas"),
            ("controll", "control"),
            ("roll", "roll"),
            // The paper's multi-step example.
            ("generalizations", "gener"),
            ("oscillators", "oscil"),
        ];
        for (word, expected) in cases {
            assert_eq!(stem(word), expected, "stem({word:?})");
        }
    }

    #[test]
    fn words_it_leaves_alone() {
        assert_eq!(stem("a"), "a");
        assert_eq!(stem("is"), "is");
        assert_eq!(stem("Killed"), "Killed", "not lowercase");
        assert_eq!(stem("naïve"), "naïve", "not ASCII");
        assert_eq!(stem("2021"), "2021");
        assert_eq!(stem(""), "");
    }

    #[test]
    fn inflections_meet() {
        assert_eq!(stem("killed"), stem("kill"));
        assert_eq!(stem("sanctions"), stem("sanction"));
        assert_eq!(stem("pardoned"), stem("pardon"));
        assert_eq!(stem("releasing"), stem("released"));
    }

    #[test]
    fn longest_suffix_only() {
        // EMENT matches but leaves m = 0; the shorter ENT is not tried.
        assert_eq!(stem("cement"), "cement");
        // ION needs a preceding s or t.
        assert_eq!(stem("onion"), "onion");
    }
}
