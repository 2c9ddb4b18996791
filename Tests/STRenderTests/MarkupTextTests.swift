import Testing
import STRender

@Suite struct MarkupTextTests {
    @Test func escapesTheFiveSpecialCharactersAndDropsForbiddenControls() {
        #expect(MarkupText.escaped(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(MarkupText.escaped("tab\there\u{0}\u{1f}\r\n") == "tab\there\r\n")
        #expect(MarkupText.escaped("ψ_c × t") == "ψ_c × t")
    }
}
