import type { Download } from '@shared/api/http'
import { http } from './http'
import type { Page } from './types'

// Reports (server/reports behind /api/v1/reports, report-runs and
// report-schedules).

export type ReportName = 'billing' | 'billing-erp' | 'supplies' | 'inventory' | 'usage' | 'alerts' | 'status' | 'collectors'
export type ReportFormat = 'csv' | 'xlsx' | 'pdf' | 'json'

export interface ReportInfo {
  name: ReportName
  description: string
  formats: ReportFormat[]
}

export interface ReportParameters {
  organisation_id?: number
  from?: string
  to?: string
  format: ReportFormat
  locale?: string
}

export interface ReportRun {
  id: number
  schedule_id: number | null
  organisation_id: number
  organisation_name: string
  report: ReportName
  format: ReportFormat
  status: 'pending' | 'done' | 'failed'
  attempts: number
  last_error: string | null
  file_name: string | null
  rows: number | null
  due_at: string
  finished_at: string | null
  expires_at: string | null
  has_file: boolean
}

export interface ReportSchedule {
  id: number
  organisation_id: number
  organisation_name: string
  report: ReportName
  format: ReportFormat
  locale: string | null
  frequency: 'monthly' | 'weekly' | 'daily'
  day: number
  hour: number
  recipients: string[]
  keep_days: number
  enabled: boolean
  next_run_at: string
}

export function listReports(signal?: AbortSignal): Promise<{ items: ReportInfo[] }> {
  return http.get('/reports', undefined, signal)
}

export function downloadReport(name: ReportName, p: ReportParameters): Promise<Download> {
  return http.download(`/reports/${name}`, { ...p }, `${name}.${p.format}`)
}

export function listRuns(after: string | undefined, signal?: AbortSignal): Promise<Page<ReportRun>> {
  return http.get('/report-runs', { after, limit: 20 }, signal)
}

export function createRun(report: ReportName, p: ReportParameters): Promise<ReportRun> {
  return http.post('/report-runs', { report, ...p })
}

export function downloadRun(run: ReportRun): Promise<Download> {
  return http.download(`/report-runs/${run.id}/file`, undefined, run.file_name ?? `${run.report}.${run.format}`)
}

export function listSchedules(signal?: AbortSignal): Promise<{ items: ReportSchedule[] }> {
  return http.get('/report-schedules', undefined, signal)
}

export function createSchedule(s: Omit<ReportSchedule, 'id' | 'organisation_name' | 'enabled' | 'next_run_at' | 'keep_days' | 'locale' | 'organisation_id'> & { organisation_id?: number; locale?: string }): Promise<ReportSchedule> {
  return http.post('/report-schedules', s)
}

export type ScheduleChange = Partial<Pick<ReportSchedule, 'report' | 'format' | 'frequency' | 'day' | 'hour' | 'recipients' | 'keep_days'>> & { locale?: string }

// Changes what a schedule makes, when and for whom (the members given).
export function updateSchedule(id: number, change: ScheduleChange): Promise<ReportSchedule> {
  return http.patch(`/report-schedules/${id}`, change)
}

export function deleteSchedule(id: number): Promise<void> {
  return http.delete(`/report-schedules/${id}`)
}

// Hands a downloaded file to the browser as a download.
export function saveFile(file: Download): void {
  const url = URL.createObjectURL(file.blob)
  const a = document.createElement('a')
  a.href = url
  a.download = file.filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
