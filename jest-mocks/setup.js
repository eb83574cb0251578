// Shared Jest setup for every LWC test: sa11y's toBeAccessible() matcher.
const { registerSa11yMatcher } = require('@sa11y/jest');

registerSa11yMatcher();
