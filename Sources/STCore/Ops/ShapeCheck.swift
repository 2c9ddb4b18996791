/// Helpers ops use to reject shapes; the executor adds the node name to the error.
enum ShapeCheck {
    static func fail(_ reason: String) -> STError {
        STError.shape(node: "", reason: reason)
    }

    static func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
        if !condition { throw fail(reason()) }
    }
}
