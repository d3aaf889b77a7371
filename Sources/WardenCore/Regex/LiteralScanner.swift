/// An Aho-Corasick automaton over byte strings, compiled to a dense table over byte classes. One pass over a
/// view finds every literal of every rule at once, so hundreds of rules cost about as much as a few.
public struct LiteralScanner: Sendable {
    private let classOf: [UInt8]          // byte -> class
    private let classCount: Int
    /// Row offset of the current state + class -> the next state's row offset (`state * classCount`), or its
    /// bitwise complement when that state has outputs: the scan tests one sign per byte.
    private let transitions: [Int32]
    private let outputStart: [Int32]      // state -> range in outputs (includes failure-chain outputs)
    private let outputs: [Int32]          // literal ids
    public let literalCount: Int

    /// `literals[i]` gets id `i`. Empty literals are ignored. Each group of `alike` bytes is one letter to the
    /// scanner (a literal with one of them is found with any of them); callers that need the exact bytes
    /// check the hit.
    public init(literals: [[UInt8]], alike: [[UInt8]] = []) {
        literalCount = literals.count
        // Byte classes: each byte that occurs in some literal gets its own class, shared with the bytes it is
        // alike; everything else is class 0.
        var classes = [UInt8](repeating: 0, count: 256)
        var next = 1
        for literal in literals {
            for b in literal where classes[Int(b)] == 0 {
                for group in alike where group.contains(b) { for other in group { classes[Int(other)] = UInt8(next) } }
                classes[Int(b)] = UInt8(next); next += 1
            }
        }
        classOf = classes
        classCount = next

        // Trie.
        var children: [[Int32]] = [[Int32](repeating: -1, count: next)]
        var terminal: [[Int32]] = [[]]
        for (id, literal) in literals.enumerated() where !literal.isEmpty {
            var state = 0
            for b in literal {
                let c = Int(classes[Int(b)])
                if children[state][c] < 0 {
                    children[state][c] = Int32(children.count)
                    children.append([Int32](repeating: -1, count: next)); terminal.append([])
                }
                state = Int(children[state][c])
            }
            terminal[state].append(Int32(id))
        }

        // Breadth-first failure links, turning the trie into a complete DFA.
        let stateCount = children.count
        var fail = [Int](repeating: 0, count: stateCount)
        var order: [Int] = []
        order.reserveCapacity(stateCount)
        for c in 0..<next {
            let child = children[0][c]
            if child < 0 { children[0][c] = 0 } else { fail[Int(child)] = 0; order.append(Int(child)) }
        }
        var head = 0
        while head < order.count {
            let state = order[head]; head += 1
            terminal[state].append(contentsOf: terminal[fail[state]])
            for c in 0..<next {
                let child = children[state][c]
                if child < 0 {
                    children[state][c] = children[fail[state]][c]
                } else {
                    fail[Int(child)] = Int(children[fail[state]][c])
                    order.append(Int(child))
                }
            }
        }
        var table = [Int32](); table.reserveCapacity(stateCount * next)
        var starts = [Int32](); starts.reserveCapacity(stateCount + 1)
        var outs = [Int32]()
        precondition(stateCount * next < Int(Int32.max), "literal scanner too large: \(stateCount) states")
        for state in 0..<stateCount {
            for target in children[state] {
                let offset = Int32(Int(target) * next)
                table.append(terminal[Int(target)].isEmpty ? offset : ~offset)
            }
            starts.append(Int32(outs.count))
            outs.append(contentsOf: terminal[state])
        }
        starts.append(Int32(outs.count))
        transitions = table; outputStart = starts; outputs = outs
    }

    /// Calls `found(literalID, endOffset)` for every occurrence (end exclusive).
    @inline(__always)
    public func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        guard literalCount > 0 else { return }
        transitions.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { classes in
                outputStart.withUnsafeBufferPointer { outputStart in
                    outputs.withUnsafeBufferPointer { outputs in
                        var offset = 0
                        for i in 0..<text.count {
                            let entry = table[offset &+ Int(classes[Int(text[i])])]
                            if entry >= 0 { offset = Int(entry); continue }
                            offset = Int(~entry)
                            let state = offset / classCount
                            for k in Int(outputStart[state])..<Int(outputStart[state + 1]) { found(Int(outputs[k]), i + 1) }
                        }
                    }
                }
            }
        }
    }
}
