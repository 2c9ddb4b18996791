import Testing
@testable import STIO

@Suite struct JSONMemberNamesTests {
    func members(_ text: String) -> [JSONMemberNames.Member] {
        JSONMemberNames.members(of: Array(text.utf8))
    }

    @Test func namesOfTheObjectAndOfItsObjectsComeInOrderWithRepeats() {
        #expect(members(#"{"b":{"x":1,"y":[{"deep":2}],"x":3},"a":[1,{"z":4}],"b":"s"}"#) == [
            .init(name: "b", fields: ["x", "y", "x"]), .init(name: "a", fields: []), .init(name: "b", fields: []),
        ])
    }

    @Test func stringsThatLookLikeStructureAreSkipped() {
        // Braces, quotes and colons inside string values are text, not structure.
        #expect(members(#"{ "k" : "{\"n\": [}", "m\"q" : { "f:" : ":" } }"#) == [
            .init(name: "k", fields: []), .init(name: "m\"q", fields: ["f:"]),
        ])
    }

    @Test func escapedNamesAreDecoded() {
        #expect(members(#"{"\u00e9t\u00e9":1,"tab\tbed":2}"#).map(\.name) == ["été", "tab\tbed"])
    }

    @Test func anythingButAnObjectHasNoMembers() {
        #expect(members(#"[{"a":1}]"#).isEmpty && members(#""a""#).isEmpty && members("").isEmpty)
    }
}
