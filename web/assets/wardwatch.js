// wardwatch's one script, loaded as a module from the base layout (the Content-
// Security-Policy allows no inline script).  Every page works without it; it only
// switches on the design system's enhancements (menus, error summaries).
import { initAll } from './nhsuk-frontend/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()
