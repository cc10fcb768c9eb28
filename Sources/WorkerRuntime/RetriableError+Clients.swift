import CostStore
import PostgresClient
import RedisClient

extension StoreError: RetriableError {}
extension PGError: RetriableError {}
extension RedisError: RetriableError {}
