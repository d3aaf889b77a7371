import WardenCore

/// The kinds of personal or payment data the redactor removes, each replaced by its tag.
public enum RedactionKind: String, Sendable, Codable, CaseIterable {
    case card, iban, email, phone, id

    /// What replaces a match in the text, e.g. `[card]`.
    public var tag: String { "[\(rawValue)]" }
}

/// Removes payment and contact data from text before it is stored (`verification_tickets.ai_reason`):
/// the model's explanation may quote what it read on the screenshot, and a stored reason must not be a
/// copy of a member's card number.
///
/// Written as a hand-made scanner rather than regular expressions so that each rule, and why it stops
/// where it does, can be read in one place. The checks that make a number *sensitive* (Luhn for cards,
/// mod 97 for IBANs) are what keep ordinary numbers (amounts, dates, order numbers) readable.
///
/// Rules, tried in this order at the start of every token:
/// 1. e-mail addresses: `local@domain.tld`;
/// 2. dates (`2026-11-01`, `01.11.2026`, `11/01/2026`) and amounts after a currency symbol (`$1,234.56`)
///    are kept as they are, so no later rule mistakes them for a phone number;
/// 3. international phone numbers: `+` and 8 to 15 digits, grouped by spaces, dashes, dots or parentheses;
/// 4. IBANs: two capital letters, two digits, then letters and digits (15 to 34 in all), possibly in groups
///    separated by single spaces, and only when the ISO 13616 mod-97 check passes;
/// 5. card numbers: 13 to 19 digits, possibly grouped by spaces or dashes, only when the Luhn check passes
///    (a grouped card number followed by more digits, like an expiry, is matched on its own);
/// 6. national phone numbers: 9 to 12 digits in groups (`(555) 123-4567`, `06 12 34 56 78`,
///    `020 7946 0958`), or an ungrouped run of 9 to 12 digits starting with the trunk prefix 0;
/// 7. transaction ids: 12 or more letters and digits (with `-` or `_` allowed inside) mixing both.
///    Runs of digits alone are left to the card and phone rules: an all-digit number that is neither
///    (a Luhn-invalid 16-digit number, say) stays, so the check digit rules keep their meaning.
public enum Redactor {
    /// `text` with every match replaced by its kind's tag.
    public static func redact(_ text: String) -> String {
        var scanner = Scanner(Array(text.unicodeScalars))
        return scanner.run()
    }

    /// Luhn (mod 10) check over decimal digit values, as printed on cards.
    static func luhnValid(_ digits: [UInt8]) -> Bool {
        guard !digits.isEmpty else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if offset % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// ISO 13616 check: move the first four characters to the end, read letters as 10–35, and the
    /// number must be 1 modulo 97. Computed digit by digit so no big integers are needed.
    static func ibanValid(_ characters: [Unicode.Scalar]) -> Bool {
        guard characters.count >= 5 else { return false }
        var remainder = 0
        for c in characters[4...] + characters[..<4] {
            switch c.value {
            case 48...57: remainder = (remainder * 10 + Int(c.value - 48)) % 97
            case 65...90: remainder = (remainder * 100 + Int(c.value - 55)) % 97
            case 97...122: remainder = (remainder * 100 + Int(c.value - 87)) % 97
            default: return false
            }
        }
        return remainder == 1
    }
}

// MARK: - Scanner

private enum Match {
    case redact(end: Int, kind: RedactionKind)
    /// Copy `start..<end` unchanged and continue after it.
    case keep(end: Int)
}

/// A sequence of digit groups, like `4111 1111 1111 1111` or `(555) 123-4567`.
private struct DigitChain {
    var digits: [UInt8] = []
    /// For each group: the index just past its last character (the closing parenthesis if any) and the
    /// number of digits up to and including it.
    var groupEnds: [(end: Int, digitCount: Int)] = []
    var groupLengths: [Int] = []
    var separators: Set<Unicode.Scalar> = []
    var usedParentheses = false
    var end: Int { groupEnds.last?.end ?? 0 }
}

private struct Scanner {
    let s: [Unicode.Scalar]
    var out = String.UnicodeScalarView()

    init(_ scalars: [Unicode.Scalar]) { s = scalars }

    mutating func run() -> String {
        var i = 0
        while i < s.count {
            switch match(at: i) {
            case .redact(let end, let kind)?:
                out.append(contentsOf: kind.tag.unicodeScalars)
                i = end
            case .keep(let end)?:
                out.append(contentsOf: s[i..<end])
                i = end
            case nil:
                // Copy a whole word at once: matches only ever start at the beginning of a word, so a card
                // number glued to letters ("ref4111…") is not taken apart.
                var j = i + 1
                if isWord(s[i]) { while j < s.count, isWord(s[j]) { j += 1 } }
                out.append(contentsOf: s[i..<j])
                i = j
            }
        }
        return String(out)
    }

    func match(at i: Int) -> Match? {
        if isWord(s[i]), i > 0, isWord(s[i - 1]) { return nil }
        if let end = email(at: i) { return .redact(end: end, kind: .email) }
        if let end = dateOrAmount(at: i) { return .keep(end: end) }
        if s[i] == "+", let end = internationalPhone(at: i) { return .redact(end: end, kind: .phone) }
        if let end = iban(at: i) { return .redact(end: end, kind: .iban) }
        if let end = card(at: i) { return .redact(end: end, kind: .card) }
        if let end = nationalPhone(at: i) { return .redact(end: end, kind: .phone) }
        if let end = transactionID(at: i) { return .redact(end: end, kind: .id) }
        return nil
    }

    // MARK: Character classes

    func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
    func isUpper(_ c: Unicode.Scalar) -> Bool { c.value >= 65 && c.value <= 90 }
    func isLetter(_ c: Unicode.Scalar) -> Bool { isUpper(c) || (c.value >= 97 && c.value <= 122) }
    func isAlnum(_ c: Unicode.Scalar) -> Bool { isDigit(c) || isLetter(c) }
    /// Letters of any script count as word characters, so "é4111…" is not a word boundary.
    func isWord(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || (!c.isASCII && c.properties.isAlphabetic) }
    func digit(at i: Int) -> Bool { i < s.count && isDigit(s[i]) }
    /// True when position `j` ends a token: the end of the text, or a character that is not part of a word.
    func endsToken(_ j: Int) -> Bool { j >= s.count || !isWord(s[j]) }

    // MARK: E-mail

    func email(at i: Int) -> Int? {
        func isLocal(_ c: Unicode.Scalar) -> Bool { isAlnum(c) || c == "." || c == "_" || c == "%" || c == "+" || c == "-" }
        guard isAlnum(s[i]) || s[i] == "_" else { return nil }
        var j = i
        while j < s.count, isLocal(s[j]) { j += 1 }
        guard j < s.count, s[j] == "@" else { return nil }
        // Domain: labels of letters, digits and dashes separated by single dots; a trailing dot is punctuation.
        var k = j + 1
        var labels = 0
        var lastLabelStart = k
        while true {
            let start = k
            while k < s.count, isAlnum(s[k]) || s[k] == "-" { k += 1 }
            guard k > start else { return nil }
            labels += 1
            lastLabelStart = start
            if k + 1 < s.count, s[k] == ".", isAlnum(s[k + 1]) { k += 1 } else { break }
        }
        let tld = s[lastLabelStart..<k]
        guard labels >= 2, tld.count >= 2, tld.allSatisfy(isLetter), endsToken(k) else { return nil }
        return k
    }

    // MARK: Kept as is

    /// The end of a date or of an amount after a currency symbol starting at `i`.
    func dateOrAmount(at i: Int) -> Int? {
        if "$€£¥₹".unicodeScalars.contains(s[i]) {
            var j = i + 1
            if j < s.count, s[j] == " " { j += 1 }
            guard digit(at: j) else { return nil }
            while true {
                while digit(at: j) { j += 1 }
                if j + 1 < s.count, s[j] == "," || s[j] == "." || s[j] == " " || s[j] == "'", isDigit(s[j + 1]) { j += 1 } else { break }
            }
            return j
        }
        guard isDigit(s[i]) else { return nil }
        // Three runs of digits with the same separator between them.
        var runs: [(start: Int, end: Int)] = []
        var j = i
        var separator: Unicode.Scalar?
        while runs.count < 3 {
            let start = j
            while digit(at: j) { j += 1 }
            guard j > start else { return nil }
            runs.append((start, j))
            if runs.count == 3 { break }
            guard j + 1 < s.count, s[j] == "-" || s[j] == "/" || s[j] == ".", separator == nil || separator == s[j] else { return nil }
            separator = s[j]
            j += 1
        }
        guard endsToken(j) else { return nil }
        let lengths = runs.map { $0.end - $0.start }
        let values = runs.map { run in s[run.start..<run.end].reduce(0) { $0 * 10 + Int($1.value - 48) } }
        if lengths[0] == 4, (1...2).contains(lengths[1]), (1...2).contains(lengths[2]) {
            return (1...12).contains(values[1]) && (1...31).contains(values[2]) ? j : nil
        }
        if (1...2).contains(lengths[0]), (1...2).contains(lengths[1]), lengths[2] == 4 {
            // Day first or month first: both are written.
            let plausible = (1...31).contains(values[0]) && (1...31).contains(values[1])
                && ((1...12).contains(values[0]) || (1...12).contains(values[1]))
            return plausible ? j : nil
        }
        return nil
    }

    // MARK: Digit chains (cards, phones)

    /// Reads digit groups from `i`. Between groups: one of `separators`; with `parentheses`, a group may also
    /// be wrapped in parentheses, like the area code in `(555) 123-4567` or the trunk `0` in `+44 (0)20`.
    func digitChain(at i: Int, separators allowed: Set<Unicode.Scalar>, parentheses: Bool) -> DigitChain? {
        var chain = DigitChain()
        var j = i
        while true {
            var open = false
            if parentheses, j < s.count, s[j] == "(" { open = true; j += 1 }
            let start = j
            while digit(at: j) { chain.digits.append(UInt8(s[j].value - 48)); j += 1 }
            guard j > start else { return chain.groupEnds.isEmpty ? nil : chain }
            if open {
                guard j < s.count, s[j] == ")" else { return nil }
                j += 1
                chain.usedParentheses = true
            }
            chain.groupEnds.append((j, chain.digits.count))
            chain.groupLengths.append(j - start)
            // Continue only when a separator is followed by another group.
            let afterClose = open
            if j < s.count, allowed.contains(s[j]), j + 1 < s.count, isDigit(s[j + 1]) || (parentheses && s[j + 1] == "(") {
                chain.separators.insert(s[j])
                j += 1
            } else if parentheses, j < s.count, (afterClose && isDigit(s[j])) || s[j] == "(" {
                continue  // "(555)123-4567", "+44(0)20"
            } else {
                return chain
            }
        }
    }

    func card(at i: Int) -> Int? {
        guard isDigit(s[i]), let chain = digitChain(at: i, separators: [" ", "-"], parentheses: false) else { return nil }
        // Longest candidate first: the whole chain, or the chain cut at a group boundary (a card followed by
        // an expiry or a CVC). The cut must fall between groups, never inside one.
        for (end, count) in chain.groupEnds.reversed() where (13...19).contains(count) && endsToken(end) {
            if Redactor.luhnValid(Array(chain.digits.prefix(count))) { return end }
        }
        return nil
    }

    func internationalPhone(at i: Int) -> Int? {
        if i > 0, isAlnum(s[i - 1]) || continuesChain(i) { return nil }  // "5+3" is arithmetic
        guard digit(at: i + 1), let chain = digitChain(at: i + 1, separators: [" ", "-", "."], parentheses: true) else { return nil }
        // The whole chain or nothing: a longer run of digits is something else, and cutting it would
        // leave part of it behind.
        guard (8...15).contains(chain.digits.count), endsToken(chain.end) else { return nil }
        return chain.end
    }

    /// True when `i` is inside a chain of digit groups rather than at its start ("1111" in "4111 1111").
    /// Phone numbers are matched as whole chains only: the tail of a longer number is not a phone number.
    func continuesChain(_ i: Int) -> Bool {
        guard i >= 2, " -.".unicodeScalars.contains(s[i - 1]) else { return false }
        return isDigit(s[i - 2]) || s[i - 2] == ")"
    }

    func nationalPhone(at i: Int) -> Int? {
        guard isDigit(s[i]) || s[i] == "(", !continuesChain(i) else { return nil }
        guard let chain = digitChain(at: i, separators: [" ", "-", "."], parentheses: true),
              (9...12).contains(chain.digits.count), endsToken(chain.end) else { return nil }
        if chain.separators.isEmpty && !chain.usedParentheses {
            // An ungrouped run is a phone number only with the trunk prefix: otherwise it is as likely an
            // order or account number, which the caller may need to keep.
            return chain.digits.first == 0 ? chain.end : nil
        }
        // Dots only on their own ("06.12.34.56.78"): "123 456 789.50" is an amount.
        if chain.separators.contains("."), chain.separators.count > 1 { return nil }
        // Groups after the first have at least two digits; "1 2 3 4 5 6 7 8 9" is a list, not a number.
        guard chain.groupLengths.dropFirst().allSatisfy({ $0 >= 2 }) else { return nil }
        return chain.end
    }

    // MARK: IBAN

    func iban(at i: Int) -> Int? {
        guard i + 4 <= s.count, isUpper(s[i]), isUpper(s[i + 1]), isDigit(s[i + 2]), isDigit(s[i + 3]) else { return nil }
        // Groups of letters and digits separated by single spaces; a candidate ends at any group end.
        var characters: [Unicode.Scalar] = []
        var candidates: [(end: Int, count: Int)] = []
        var j = i
        while characters.count <= 34 {
            let start = j
            while j < s.count, isAlnum(s[j]) { characters.append(s[j]); j += 1 }
            guard j > start else { break }
            candidates.append((j, characters.count))
            guard j + 1 < s.count, s[j] == " ", isAlnum(s[j + 1]) else { break }
            j += 1
        }
        for (end, count) in candidates.reversed() where (15...34).contains(count) && endsToken(end) {
            if Redactor.ibanValid(Array(characters.prefix(count))) { return end }
        }
        return nil
    }

    // MARK: Transaction ids

    func transactionID(at i: Int) -> Int? {
        guard isAlnum(s[i]) else { return nil }
        var j = i
        var end = i
        var letters = 0, digits = 0
        while j < s.count, isAlnum(s[j]) || s[j] == "-" || s[j] == "_" {
            if isDigit(s[j]) { digits += 1 } else if isLetter(s[j]) { letters += 1 }
            j += 1
            if isAlnum(s[j - 1]) { end = j }  // a trailing dash or underscore is punctuation
        }
        guard letters + digits >= 12, letters > 0, digits > 0, endsToken(end) else { return nil }
        return end
    }
}
