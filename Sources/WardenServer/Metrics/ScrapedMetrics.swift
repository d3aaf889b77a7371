import Foundation
import WardenLLM
import WardenPipeline
import WardenStore
import WardenSupport

/// Values owned elsewhere (the intake queue, the LLM client, the jobs table), read at scrape time and
/// written in Prometheus' text format after the registry's own metrics.
struct ScrapedMetrics {
    let intake: MessageIntake
    let database: any Database
    let llm: LLMClient?
    let webhooks: WebhookDeliverer
    let deflection: FAQDeflectionDesk
    let clock: @Sendable () -> Date

    func text() async throws -> String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples { lines.append("\(name)\(sample.labels) \(sample.value)") }
        }
        metric("warden_intake_waiting", "gauge", "Messages queued for the next commit.", [("", Double(intake.depth))])
        if let llm {
            let stats = llm.statistics
            metric("warden_llm_calls_total", "counter", "LLM calls started.", [("", Double(stats.calls))])
            metric("warden_llm_retries_total", "counter", "LLM call attempts retried.", [("", Double(stats.retries))])
            metric("warden_llm_failures_total", "counter", "LLM calls that failed after their retries.", [("", Double(stats.failures))])
            metric("warden_llm_waiting", "gauge", "LLM calls waiting for a free slot.", [("", Double(llm.queued))])
            metric("warden_llm_circuit_open", "gauge", "1 while the LLM circuit breaker is open.", [("", "\(llm.circuitState)" == "open" ? 1 : 0)])
        }
        let depths = try await database.transaction { conn in try JobRepository.unfinished(on: conn) }
        metric("warden_jobs", "gauge", "Durable jobs waiting or running, by kind.",
               depths.map { (#"{kind="\#($0.kind)",status="\#($0.status)"}"#, Double($0.count)) })
        let totals = webhooks.totals
        metric("warden_webhook_attempts_total", "counter", "Webhook delivery attempts by this process, by outcome.",
               [(#"{outcome="delivered"}"#, Double(totals.delivered)), (#"{outcome="retried"}"#, Double(totals.retried)),
                (#"{outcome="dead"}"#, Double(totals.dead))])
        // Every endpoint's open deliveries, from the store (so every instance reports the same), zeros included:
        // dead ones wait for a replay and hold their stream, which the oldest pending delivery's age shows.
        let backlog = try await database.transaction { conn in try WebhookRepository.backlog(on: conn) }
        metric("warden_webhook_deliveries", "gauge", "Webhook deliveries not delivered yet, by endpoint and status (dead: given up, waiting for a replay).",
               backlog.flatMap { [(#"{endpoint="\#($0.endpoint)",status="pending"}"#, Double($0.pending)),
                                  (#"{endpoint="\#($0.endpoint)",status="dead"}"#, Double($0.dead))] })
        let now = clock()
        metric("warden_webhook_oldest_pending_seconds", "gauge", "Age of each endpoint's oldest pending webhook delivery (0 when none).",
               backlog.map { (#"{endpoint="\#($0.endpoint)"}"#, $0.oldestPending.map { max(0, now.timeIntervalSince($0)) } ?? 0) })
        // FAQ deflection, all time, of the guilds that have had a suggestion (so guilds that do not use it add
        // no series); rates only where defined. Read from the store, so every instance reports the same.
        let guilds = try await deflection.allGuilds(top: 10)
        func guild(_ s: DeflectionStats) -> String { #"guild="\#(UInt64(bitPattern: s.guildID))""# }
        metric("warden_faq_tickets_opened", "gauge", "Support tickets opened, by guild.", guilds.map { ("{\(guild($0))}", Double($0.ticketsOpened)) })
        metric("warden_faq_tickets_suggested", "gauge", "Tickets that got at least one FAQ suggestion, by guild.",
               guilds.map { ("{\(guild($0))}", Double($0.ticketsSuggested)) })
        metric("warden_faq_tickets_deflected", "gauge",
               "Tickets deflected by a suggested FAQ answer, by guild and how (solved: the member said so; closed_without_reply: closed with no staff reply).",
               guilds.flatMap { [("{\(guild($0)),how=\"solved\"}", Double($0.solved)),
                                 ("{\(guild($0)),how=\"closed_without_reply\"}", Double($0.closedWithoutReply))] })
        metric("warden_faq_suggestion_rate", "gauge", "Tickets that got a suggestion / tickets opened, by guild.",
               guilds.compactMap { s in s.suggestionRate.map { ("{\(guild(s))}", $0) } })
        metric("warden_faq_deflection_rate", "gauge", "Tickets deflected / tickets that got a suggestion, by guild.",
               guilds.compactMap { s in s.deflectionRate.map { ("{\(guild(s))}", $0) } })
        metric("warden_faq_entry_deflections", "gauge", "Tickets each FAQ entry deflected, the 10 that deflect most per guild.",
               guilds.flatMap { s in s.topEntries.map { ("{\(guild(s)),entry=\"\($0.entryID)\"}", Double($0.deflected)) } })
        return lines.joined(separator: "\n") + "\n"
    }
}
