// "HP Color LaserJet …" rather than "HP HP Color LaserJet …": many
// devices repeat their manufacturer in the model name.
export function deviceName(manufacturer: string, model: string): string {
  const m = manufacturer.trim()
  const name = model.trim()
  if (!m) return name
  if (!name) return m
  return name.toLowerCase().startsWith(m.toLowerCase()) ? name : `${m} ${name}`
}
