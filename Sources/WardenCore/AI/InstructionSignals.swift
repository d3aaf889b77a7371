/// Warden's own check for text that tries to instruct a model: asking it to drop its instructions, take a
/// new role, answer a given way, or forging chat markup or the prompt's boundary lines.
///
/// A model that an injection fools may also hide that it was fooled, so what the model reports is never
/// the only word: this check runs on our side, deterministically, on the text's `skeleton` view
/// (case, NFKC, zero-width characters and lookalike letters folded, so `ｉｇｎｏｒｅ` and Cyrillic `іgnore` read
/// as `ignore`). It is a heuristic for showing moderators a flag, never for deciding anything; the
/// patterns aim at phrasings an honest appeal has no reason to use ("please approve", "the AI got it
/// wrong" and "ignore my last message" are not signals).
public enum InstructionSignals {
    /// One kind of instruction-like text.
    public enum Signal: String, Sendable, CaseIterable, Codable {
        /// "ignore previous instructions", "disregard your prompt".
        case ignoresInstructions = "ignores_instructions"
        /// "you are now ...", "from now on you", "new instructions", "act as the system".
        case assignsRole = "assigns_role"
        /// "Dear AI", "to the model reviewing this", "as an AI".
        case addressesTheModel = "addresses_the_model"
        /// The answer's own terms: "suggestion": ..., "set the confidence", "respond with overturn".
        case dictatesTheAnswer = "dictates_the_answer"
        /// "system:" at a line's start, `<|im_start|>`, `[INST]`, "### Instruction".
        case chatMarkup = "chat_markup"
        /// `<<<`, `>>>` or a `DATA-...` marker: an attempt to close the data block early.
        case forgesBoundary = "forges_boundary"
    }

    /// The signals `text` shows, in the order of `Signal.allCases`; empty for none.
    public static func find(in text: String) -> [Signal] {
        let normalized = Normalizer().normalize(text, views: ViewSet([ViewKind.skeleton]))
        let bytes = normalized.view(.skeleton)?.bytes ?? normalized.original
        let scratch = RegexScratch.current
        return patterns.compactMap { signal, compiled in
            let hit = bytes.withUnsafeBufferPointer { buffer in
                compiled.contains { pattern in
                    if case .match = pattern.firstMatch(in: buffer, scratch: scratch) { return true }
                    return false
                }
            }
            return hit ? signal : nil
        }
    }

    /// The patterns of each signal (PCRE2, case-insensitive, over the lower-case skeleton view).
    static let sources: [(Signal, [String])] = [
        (.ignoresInstructions, [
            #"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(instructions?|prompts?|directives?|system messages?)\b"#,
        ]),
        (.assignsRole, [
            #"\b(you are now|you're now|from now on,? you|new instructions|developer mode|jailbreak)\b"#,
            #"\b(act as|pretend to be|roleplay as)\b[^.!?\n]{0,20}\b(ai|assistant|model|system|administrator|admin|developer)\b"#,
        ]),
        (.addressesTheModel, [
            #"\b(dear|hey|hi|hello|attention|note to|message to|instructions? (for|to)) (the )?(ai|a\.i\.|assistant|model|llm|language model|chatgpt|gpt|classifier)\b"#,
            #"\b(ai|assistant|model|llm|chatgpt|gpt|classifier)\b,? (that is |who is |which is )?(reading|reviewing|processing|summari[sz]ing|triaging|evaluating|analy[sz]ing) (this|these|my)\b"#,
            #"\bas an ai\b"#,
        ]),
        (.dictatesTheAnswer, [
            #"\binstruction_attempt\b|["'](suggestion|confidence|summary|evidence)["']\s*:|\b(suggestion|confidence)\s*[:=]\s*["']?(overturn|uphold|[0-9])"#,
            #"\b(set|put|raise)\b[^.!?\n]{0,20}\bconfidence\b"#,
            #"\bconfidence\b[^.!?\n]{0,12}(\b1(\.0+)?\b|\b100 ?%|\b0\.9\d*\b|\bmaximum\b)"#,
            #"\b(respond|reply|answer|output|return)\b(\s+only)?(\s+with)?\s*:?\s*(\{|["']?(overturn|uphold)\b)"#,
        ]),
        (.chatMarkup, [
            #"(^|\n)\s*(system|assistant|developer)\s*:"#,
            #"<\|?\s*(im_start|im_end|system|endoftext)\s*\|?>"#,
            #"\[/?(inst|sys)\]"#,
            #"###\s*(instruction|system|response)"#,
        ]),
        (.forgesBoundary, [
            // `>>>` only closing a word, as a boundary line does (`DATA-0a1b>>>`): `>>> ` starting a line is
            // Discord's own block quote (and Python's prompt), which honest appeals quote.
            #"<<<|[a-z0-9-]>>>"#,
            #"\bend-data\b|\bdata-[0-9a-f]{8,}"#,
        ]),
    ]

    /// Compiled once; a pattern that does not compile is a programming error caught by the tests.
    static let patterns: [(Signal, [RegexPattern])] = sources.map { signal, texts in
        (signal, texts.compactMap { try? RegexPattern($0) })
    }
}
