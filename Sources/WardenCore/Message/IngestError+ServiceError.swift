extension IngestError: ServiceError {
    /// A message Warden refuses is the sender's mistake: 400.
    public var httpStatus: Int { 400 }
}
