import Foundation
import WardenPipeline
import WardenStore

/// Payload helpers: job payloads are small JSON objects with ids as strings (64-bit ids do not survive
/// JSON numbers as doubles).
enum JobPayload {
    static func encode(_ fields: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(fields), as: UTF8.self)) ?? "{}"
    }

    static func decode(_ job: JobRepository.Job) throws(JobFailure) -> [String: String] {
        guard let fields = try? JSONDecoder().decode([String: String].self, from: Data(job.payloadJSON.utf8)) else {
            throw JobFailure("job \(job.id) (\(job.kind)): payload is not an object of strings", retryable: false)
        }
        return fields
    }

    static func id(_ fields: [String: String], _ name: String, job: JobRepository.Job) throws(JobFailure) -> Int64 {
        guard let text = fields[name], let value = Int64(text) else {
            throw JobFailure("job \(job.id) (\(job.kind)): payload field \(name) is missing or not an integer", retryable: false)
        }
        return value
    }
}
