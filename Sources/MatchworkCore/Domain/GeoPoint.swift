import RealModule

/// A location on Earth in decimal degrees (WGS 84).
public struct GeoPoint: Hashable, Sendable, Codable {
    public let latitude: Double
    public let longitude: Double

    /// Validates a latitude in -90...90 and a longitude in -180...180.
    public init(latitude: Double, longitude: Double) throws(MatchworkError) {
        guard latitude.isFinite, (-90.0...90.0).contains(latitude) else {
            throw .invalid("latitude", "latitude \(latitude) is outside -90...90; give decimal degrees, for example 48.8566.")
        }
        guard longitude.isFinite, (-180.0...180.0).contains(longitude) else {
            throw .invalid("longitude", "longitude \(longitude) is outside -180...180; give decimal degrees, for example 2.3522.")
        }
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Great-circle distance in kilometres (haversine, mean Earth radius 6,371.0088 km).
    public func distance(to other: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians
        let dLon = (other.longitude - longitude) * radians
        let sinLat = Double.sin(dLat / 2)
        let sinLon = Double.sin(dLon / 2)
        let a = sinLat * sinLat + Double.cos(latitude * radians) * Double.cos(other.latitude * radians) * sinLon * sinLon
        return 2 * 6371.0088 * Double.asin(min(1, a.squareRoot()))
    }
}

