import { Http } from '@shared/api/http'

// The portal's one connection to /api/v1.
export const http = new Http('/api/v1')
