const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

// Platform modules the sfdx-lwc-jest stubs lack (or that record nothing) are mocked in jest-mocks/.
module.exports = {
  ...jestConfig,
  roots: ['<rootDir>/force-app'],
  modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
  moduleNameMapper: {
    '^lightning/navigation$': '<rootDir>/jest-mocks/lightning/navigation',
    '^lightning/platformUtilityBarApi$': '<rootDir>/jest-mocks/lightning/platformUtilityBarApi',
    '^lightning/platformWorkspaceApi$': '<rootDir>/jest-mocks/lightning/platformWorkspaceApi',
    '^lightning/messageService$': '<rootDir>/jest-mocks/lightning/messageService',
    '^lightning/empApi$': '<rootDir>/jest-mocks/lightning/empApi'
  },
  setupFilesAfterEnv: ['<rootDir>/jest-mocks/setup.js'],
  testTimeout: 10000
};
