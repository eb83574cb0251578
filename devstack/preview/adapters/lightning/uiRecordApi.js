import { backendHeaders, frame } from '../frameBridge.js';

/**
 * `lightning/uiRecordApi` for the preview: `getRecord` (a wire adapter) reads `GET /_preview/records/<id>` from the
 * Salesforce emulator and answers in the UI API record shape (`{ apiName, id, fields: { Name: { value } } }`);
 * only the fields the record tab shows exist. `getFieldValue` reads one of them.
 */
export class getRecord {
  /** @param {(value: {data?: any, error?: any}) => void} dataCallback */
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
    /** @type {string|undefined} */
    this.recordId = undefined;
  }

  connect() {}

  disconnect() {
    this.recordId = undefined;
  }

  /** @param {{recordId?: string}} config */
  update(config) {
    const recordId = config?.recordId;
    if (!recordId || recordId === this.recordId) return;
    this.recordId = recordId;
    fetch(`${frame().backendUrl ?? ''}/_preview/records/${encodeURIComponent(recordId)}`, { headers: backendHeaders() })
      .then((response) => (response.ok ? response.json() : Promise.reject({ status: response.status })))
      .then((record) => {
        if (this.recordId !== recordId) return;
        const fields = Object.fromEntries(
          Object.entries(record.fields ?? {}).map(([name, value]) => [name, { value, displayValue: null }])
        );
        this.dataCallback({ data: { apiName: record.objectApiName, id: record.id, fields }, error: undefined });
      })
      .catch((error) => this.dataCallback({ data: undefined, error }));
  }
}

/**
 * @param {any} record
 * @param {string|{fieldApiName: string}} field `Object.Field` or a schema import
 */
export function getFieldValue(record, field) {
  const name = typeof field === 'string' ? field.split('.').slice(1).join('.') : field?.fieldApiName;
  return record?.fields?.[name]?.value ?? null;
}
