// Loaded at the start of <body>, before it renders: the NHS.UK frontend styles its components
// for JavaScript only when these classes are there. (A file, not inline: the site's
// Content-Security-Policy allows no inline script.)
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '')
