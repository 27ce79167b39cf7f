import Foundation
@testable import Sandbox
import Testing

/// Tracking categories and options: the per-organisation limits, archived
/// options in lists, and what DELETE leaves behind.
@Suite struct XeroTrackingCategoriesTests {
    typealias H = XeroBooksHarness

    func put(_ h: H, _ body: [String: Any]) async -> SandboxResponse {
        await h.books.saveTrackingCategory(H.request("PUT", "/TrackingCategories", body), key: nil)
    }

    func post(_ h: H, _ id: String, _ body: [String: Any]) async -> SandboxResponse {
        await h.books.saveTrackingCategory(H.request("POST", "/TrackingCategories/\(id)", body), key: id)
    }

    func option(_ h: H, _ category: String, id: String? = nil, _ body: [String: Any]) async -> SandboxResponse {
        await h.books.saveTrackingOption(H.request(id == nil ? "PUT" : "POST", "/Options", body), categoryKey: category, optionKey: id)
    }

    func names(_ h: H, _ query: String = "") async throws -> [String] {
        try H.records(await h.books.listTrackingCategories(H.request("GET", "/TrackingCategories\(query)")), "TrackingCategories").map { $0["Name"] as! String }
    }

    @Test func twoActiveAndFourInAll() async throws {
        let h = H()
        let a = try H.record(await put(h, ["Name": "Region"]), "TrackingCategories")["TrackingCategoryID"] as! String
        let b = try H.record(await put(h, ["Name": "Department"]), "TrackingCategories")["TrackingCategoryID"] as! String
        #expect(try H.messages(await put(h, ["Name": "Project"])) == ["An organisation can have only 2 active tracking categories."])
        _ = try H.record(await post(h, b, ["Status": "ARCHIVED"]), "TrackingCategories")
        let c = try H.record(await put(h, ["Name": "Project"]), "TrackingCategories")["TrackingCategoryID"] as! String
        _ = try H.record(await post(h, c, ["Status": "ARCHIVED"]), "TrackingCategories")
        _ = try H.record(await put(h, ["Name": "Channel"]), "TrackingCategories")
        #expect(try H.messages(await put(h, ["Name": "Fifth"])) == ["An organisation can have only 2 active tracking categories.",
                                                                   "An organisation can have only 4 tracking categories, active and archived."])
        #expect(try H.messages(await post(h, b, ["Status": "ACTIVE"])) == ["An organisation can have only 2 active tracking categories."])
        #expect(try await names(h) == ["Region", "Channel"])
        #expect(try await names(h, "?includeArchived=true") == ["Region", "Department", "Project", "Channel"])
        // Deleting frees a place; a deleted category still answers by id.
        let deleted = try H.record(await h.books.deleteTrackingCategory(a), "TrackingCategories")
        #expect(deleted["Status"] as? String == "DELETED")
        #expect(try H.record(await h.books.getTrackingCategory(a), "TrackingCategories")["Status"] as? String == "DELETED")
        #expect(await post(h, a, ["Name": "Back"]).status == 404)
        #expect(await h.books.deleteTrackingCategory(a).status == 404)
        _ = try H.record(await put(h, ["Name": "Region"]), "TrackingCategories")
        #expect(try await names(h, "?order=Name%20DESC") == ["Region", "Channel"])
    }

    @Test func optionsAreAddedRenamedArchivedAndDeleted() async throws {
        let h = H()
        let category = try H.record(await put(h, ["name": "Region"]), "TrackingCategories")["TrackingCategoryID"] as! String
        let north = try H.record(await option(h, category, ["Name": "North"]), "Options")
        #expect(north["Status"] as? String == "ACTIVE" && north["IsActive"] as? Bool == true && north["IsDeleted"] as? Bool == false)
        let northID = north["TrackingOptionID"] as! String
        #expect(northID == northID.lowercased())
        let south = try H.record(await option(h, category, ["Name": "South"]), "Options")["TrackingOptionID"] as! String
        #expect(try H.messages(await option(h, category, ["Name": "north"])) == ["The tracking category Region already has an option named north."])
        #expect(try H.record(await option(h, category, id: northID, ["Name": "Northland"]), "Options")["Name"] as? String == "Northland")
        let archived = try H.record(await option(h, category, id: south, ["Status": "ARCHIVED"]), "Options")
        #expect(archived["IsArchived"] as? Bool == true && archived["Name"] as? String == "South")
        func optionNames(_ query: String) async throws -> [String] {
            let list = try H.records(await h.books.listTrackingCategories(H.request("GET", "/TrackingCategories\(query)")), "TrackingCategories")
            return (list.first?["Options"] as? [[String: Any]] ?? []).map { $0["Name"] as! String }
        }
        #expect(try await optionNames("") == ["Northland"])
        #expect(try await optionNames("?includeArchived=True") == ["Northland", "South"])
        let gone = try H.record(await h.books.deleteTrackingOption(categoryKey: category, optionKey: northID), "Options")
        #expect(gone["Status"] as? String == "DELETED" && gone["IsDeleted"] as? Bool == true && gone["IsActive"] as? Bool == false)
        #expect(try await optionNames("?includeArchived=true") == ["South"])
        #expect(await h.books.deleteTrackingOption(categoryKey: category, optionKey: northID).status == 404)
        #expect(await option(h, category, id: northID, ["Name": "Ghost"]).status == 404)
        #expect(await option(h, UUID().uuidString, ["Name": "Orphan"]).status == 404)
    }

    @Test func refusedNamesAndStatuses() async throws {
        let h = H()
        let id = try H.record(await put(h, ["Name": "Region"]), "TrackingCategories")["TrackingCategoryID"] as! String
        #expect(try H.messages(await put(h, ["Name": " "])) == ["Please enter a Name for the tracking category."])
        #expect(try H.messages(await put(h, ["Name": String(repeating: "r", count: 101)])) == ["The tracking category Name must be 100 characters or fewer."])
        #expect(try H.messages(await put(h, ["Name": "REGION"])) == ["A tracking category named REGION already exists."])
        #expect(try H.messages(await post(h, id, ["Status": "DELETED"])) == ["Status must be ACTIVE or ARCHIVED; delete a tracking category with DELETE."])
        #expect(try H.messages(await option(h, id, ["Name": String(repeating: "o", count: 101)])) == ["The tracking option Name must be 100 characters or fewer."])
        let element = try #require((try H.object(await option(h, id, ["Name": ""]))["Elements"] as? [[String: Any]])?.first)
        #expect(element["TrackingOptionID"] as? String == "00000000-0000-0000-0000-000000000000")
        #expect(await put(h, ["Name": 5]).status == 400, "not a TrackingCategory")
    }
}
