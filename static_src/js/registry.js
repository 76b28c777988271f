// Starts the NHS.UK frontend components on every page.
import { initAll } from '../wagtailnhsukfrontend/js/nhsuk-frontend-10.4.2.min.js'

initAll()
