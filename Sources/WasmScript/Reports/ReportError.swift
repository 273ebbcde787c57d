/// Why a report or baseline could not be read, written or combined.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    /// The file concerned, when there is one.
    public var path: String?
    public var message: String

    public init(path: String? = nil, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
