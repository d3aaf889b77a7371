import Foundation
import Testing
@testable import WardenCore

@Suite struct JSONSchemaTests {
    func violations(_ value: String, _ schema: String) throws -> [SchemaViolation] {
        JSONSchema.validate(try JSONValue.parse(value), against: try JSONValue.parse(schema))
    }

    func paths(_ value: String, _ schema: String) throws -> [String] {
        try violations(value, schema).map(\.path)
    }

    /// A moderation verdict schema in OpenAI strict form.
    let verdictSchema = #"""
    {"type": "object", "additionalProperties": false, "required": ["verdict", "scores", "reasons", "note"],
     "properties": {
        "verdict": {"type": "string", "enum": ["allow", "flag", "block"]},
        "scores": {"type": "object", "additionalProperties": false, "required": ["hate", "spam"],
                   "properties": {"hate": {"type": "number", "minimum": 0, "maximum": 1},
                                  "spam": {"type": "number", "minimum": 0, "maximum": 1}}},
        "reasons": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 5}, "maxItems": 2},
        "note": {"type": ["string", "null"]}
     }}
    """#

    @Test func aValidAnswerHasNoViolations() throws {
        #expect(try violations(#"{"verdict": "block", "scores": {"hate": 0.9, "spam": 0}, "reasons": ["slur"], "note": null}"#, verdictSchema) == [])
    }

    @Test func nestedPathsNameTheFailingMember() throws {
        let found = try violations(#"{"verdict": "nuke", "scores": {"hate": 1.5, "spam": "x"}, "reasons": ["ok", ""], "note": 3, "extra": 1}"#,
                                   verdictSchema)
        #expect(found.map(\.path) == ["$.extra", "$.note", "$.reasons[1]", "$.scores.hate", "$.scores.spam", "$.verdict"])
        #expect(found[0].message.contains("additionalProperties"))
        #expect(found[1].message == "expected one of string, null, got integer 3")
        #expect(found[3].description == "$.scores.hate: 1.5 is more than the maximum 1")
        #expect(found[4].message == "expected number, got string \"x\"")
        #expect(found[5].message.contains("not one of"))
    }

    @Test func typeDistinguishesIntegerFromNumber() throws {
        #expect(try violations("3", #"{"type": "integer"}"#).isEmpty)
        #expect(try violations("3.0", #"{"type": "integer"}"#).isEmpty)  // JSON has one number type; 3.0 is whole
        #expect(try violations("3.5", #"{"type": "integer"}"#).map(\.message) == ["expected integer, got number 3.5"])
        #expect(try violations("3", #"{"type": "number"}"#).isEmpty)
        #expect(try violations("true", #"{"type": "number"}"#).count == 1)
        #expect(try violations("null", #"{"type": ["integer", "null"]}"#).isEmpty)
        #expect(try violations("\"a\"", #"{"type": ["integer", "null"]}"#).count == 1)
        for (value, type) in [("{}", "object"), ("[]", "array"), ("\"s\"", "string"), ("false", "boolean"), ("null", "null")] {
            #expect(try violations(value, #"{"type": "\#(type)"}"#).isEmpty)
            #expect(try violations(value, #"{"type": "integer"}"#).count == 1)
        }
    }

    @Test func requiredAndAdditionalProperties() throws {
        #expect(try violations("{}", #"{"required": ["a", "b c"]}"#).map(\.description)
                == ["$.a: required property is missing", #"$["b c"]: required property is missing"#])
        // true (or absent) allows anything; a schema checks the extra members.
        #expect(try paths(#"{"x": 1}"#, #"{"properties": {}, "additionalProperties": true}"#) == [])
        #expect(try paths(#"{"x": 1}"#, #"{"properties": {}}"#) == [])
        #expect(try paths(#"{"x": 1, "y": "s"}"#, #"{"properties": {"x": {}}, "additionalProperties": {"type": "integer"}}"#) == ["$.y"])
        #expect(try paths(#"{"x": 1}"#, #"{"additionalProperties": false}"#) == ["$.x"])
    }

    @Test func enumAndConst() throws {
        #expect(try violations("2", #"{"enum": [1, 2.0, "a", null]}"#).isEmpty)
        #expect(try violations("null", #"{"enum": [1, null]}"#).isEmpty)
        #expect(try violations("\"b\"", #"{"enum": ["a"]}"#).map(\.message) == [#""b" is not one of "a""#])
        #expect(try violations(#"{"k": [1]}"#, #"{"const": {"k": [1]}}"#).isEmpty)
        #expect(try violations(#"{"k": [2]}"#, #"{"const": {"k": [1]}}"#).map(\.message) == [#"expected {"k":[1]}, got {"k":[2]}"#])
    }

    @Test func numericBounds() throws {
        let schema = #"{"minimum": 0, "maximum": 10, "exclusiveMinimum": -1, "exclusiveMaximum": 10}"#
        #expect(try violations("0", schema).isEmpty)
        #expect(try violations("9.99", schema).isEmpty)
        #expect(try violations("10", schema).map(\.message) == ["10 is not less than 10"])
        #expect(try violations("-0.5", schema).map(\.message) == ["-0.5 is less than the minimum 0"])
        #expect(try violations("-1", schema).count == 2)
        #expect(try violations("0", #"{"exclusiveMinimum": 0}"#).count == 1)
        // Draft 4's boolean form.
        #expect(try violations("0", #"{"minimum": 0, "exclusiveMinimum": true}"#).map(\.message) == ["0 is not greater than 0"])
        #expect(try violations("5", #"{"maximum": 5, "exclusiveMaximum": true}"#).count == 1)
        #expect(try violations("5", #"{"maximum": 5, "exclusiveMaximum": false}"#).isEmpty)
        // Bounds ignore values of other types.
        #expect(try violations("\"x\"", #"{"minimum": 3}"#).isEmpty)
    }

    @Test func stringLengthCountsCharacters() throws {
        // "é" as e + combining accent, a family emoji and a flag: 3 Characters, many more scalars.
        let text = "\"e\u{301}👨‍👩‍👧🇫🇷\""
        #expect(try violations(text, #"{"maxLength": 3, "minLength": 3}"#).isEmpty)
        #expect(try violations(text, #"{"maxLength": 2}"#).map(\.message) == ["length 3 is longer than maxLength 2"])
        #expect(try violations(text, #"{"minLength": 4}"#).map(\.message) == ["length 3 is shorter than minLength 4"])
    }

    @Test func arrayItemsAndCounts() throws {
        let schema = #"{"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "integer"}}"#
        #expect(try violations("[1, 2]", schema).isEmpty)
        #expect(try violations("[]", schema).map(\.message) == ["0 items, fewer than minItems 1"])
        #expect(try violations("[1, 2, 3, 4]", schema).map(\.message) == ["4 items, more than maxItems 3"])
        #expect(try paths(#"[1, "a", 2, 0.5]"#, schema) == ["$", "$[1]", "$[3]"])
    }

    @Test func anyOfNeedsOneMatchingAlternative() throws {
        let schema = #"{"anyOf": [{"type": "string", "maxLength": 2}, {"type": "integer", "minimum": 10}]}"#
        #expect(try violations("\"ab\"", schema).isEmpty)
        #expect(try violations("12", schema).isEmpty)
        let failed = try violations("5", schema)
        #expect(failed.count == 1)
        #expect(failed.first?.path == "$")
        #expect(failed.first?.message.hasPrefix("matches none of the 2 anyOf alternatives") == true)
        // Inside an object, the path is the member's.
        #expect(try paths(#"{"v": true}"#, #"{"properties": {"v": \#(schema)}}"#) == ["$.v"])
    }

    @Test func booleanSchemasAndLocalReferences() throws {
        #expect(try violations("1", "true").isEmpty)
        #expect(try violations("1", "false").map(\.message) == ["no value is allowed here"])
        let tree = #"""
        {"$defs": {"node": {"type": "object", "additionalProperties": false, "required": ["name", "children"],
                            "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
         "$ref": "#/$defs/node"}
        """#
        #expect(try violations(#"{"name": "a", "children": [{"name": "b", "children": []}]}"#, tree).isEmpty)
        #expect(try paths(#"{"name": "a", "children": [{"name": 2, "children": []}, {"name": "c"}]}"#, tree)
                == ["$.children[0].name", "$.children[1].children"])
        #expect(try violations("1", ##"{"$ref": "#/$defs/missing"}"##).map(\.message) == ["unresolvable $ref #/$defs/missing"])
        // A reference cycle that never reaches the value is reported, not followed forever.
        #expect(try violations("1", ##"{"$ref": "#"}"##).first?.message.contains("nests too deeply") == true)
    }

    @Test func unknownKeywordsAreIgnored() throws {
        #expect(try violations("\"abc\"", #"{"type": "string", "pattern": "^x", "format": "email", "description": "d"}"#).isEmpty)
    }

    // MARK: Strict mode

    @Test func aStrictSchemaHasNoProblems() throws {
        #expect(JSONSchema.strictModeProblems(try JSONValue.parse(verdictSchema)) == [])
    }

    @Test func strictModeFindsOpenObjectsAndOptionalProperties() throws {
        let schema = try JSONValue.parse(#"""
        {"type": "object", "required": ["a"],
         "properties": {"a": {"type": "string"}, "b": {"type": "integer"},
                        "nested": {"type": "object", "additionalProperties": false, "properties": {"x": {"type": "string"}}},
                        "list": {"type": "array", "items": {"type": "object", "properties": {}, "additionalProperties": true}},
                        "either": {"anyOf": [{"type": "object", "properties": {"k": {"type": "null"}}, "required": ["k"]}, {"type": "null"}]}},
         "$defs": {"d": {"type": "object", "properties": {}}}}
        """#)
        let problems = JSONSchema.strictModeProblems(schema)
        #expect(problems.map(\.description) == [
            "$: additionalProperties must be false",
            "$: every property must be required; missing: b, either, list, nested",
            "$.properties.either.anyOf[0]: additionalProperties must be false",
            "$.properties.list.items: additionalProperties must be false",
            "$.properties.nested: every property must be required; missing: x",
            "$[\"$defs\"].d: additionalProperties must be false",
        ])
    }

    @Test func strictModeNeedsAnObjectAtTheRoot() throws {
        #expect(JSONSchema.strictModeProblems(try JSONValue.parse(#"{"type": "array", "items": {"type": "string"}}"#)).map(\.message)
                == [#"the root schema must have type "object""#])
        let union = JSONSchema.strictModeProblems(try JSONValue.parse(#"{"anyOf": [{"type": "string"}]}"#)).map(\.message)
        #expect(union.contains("the root schema must not be anyOf"))
        #expect(JSONSchema.strictModeProblems(.bool(true)).map(\.message) == ["the root schema must be an object schema, got boolean"])
    }
}
