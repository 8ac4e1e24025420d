// The parts of Apache ECharts the portal draws with, in one chunk that only
// pages with charts load, with its month and day names in every language
// of the portal.
import { LineChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { init, registerLocale, use } from 'echarts/core'
import langDE from 'echarts/i18n/langDE-obj.js'
import langFR from 'echarts/i18n/langFR-obj.js'
import langIT from 'echarts/i18n/langIT-obj.js'
import { CanvasRenderer } from 'echarts/renderers'

use([LineChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, CanvasRenderer])
registerLocale('DE', langDE)
registerLocale('FR', langFR)
registerLocale('IT', langIT)

export { init }
