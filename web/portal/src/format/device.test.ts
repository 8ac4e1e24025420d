import { describe, expect, it } from 'vitest'
import { deviceName } from './device'

describe('deviceName', () => {
  it('names the manufacturer once', () => {
    expect(deviceName('HP', 'HP Color LaserJet MFP M479fdw')).toBe('HP Color LaserJet MFP M479fdw')
    expect(deviceName('Kyocera', 'ECOSYS P3145dn')).toBe('Kyocera ECOSYS P3145dn')
    expect(deviceName('', 'Aficio MP')).toBe('Aficio MP')
    expect(deviceName('Brother', '')).toBe('Brother')
  })
})
