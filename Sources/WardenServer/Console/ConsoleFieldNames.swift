import HTTPTypes

extension HTTPField.Name {
    // Names swift-http-types does not define; the literals are valid field names, so these never fail.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
