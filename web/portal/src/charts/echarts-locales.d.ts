// ECharts ships its locale objects without type declarations.
declare module 'echarts/i18n/lang*-obj.js' {
  import type { registerLocale } from 'echarts/core'
  const locale: Parameters<typeof registerLocale>[1]
  export default locale
}
