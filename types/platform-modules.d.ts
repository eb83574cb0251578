// Platform modules that @salesforce/lightning-types 0.8.0 does not declare (it already has lightning/toast and
// @salesforce/user/Id, so those are not redeclared here). Shapes follow the LWC developer guide.

declare module 'lightning/empApi' {
  export interface EmpSubscription {
    id?: string;
    channel: string;
    replayId?: number;
  }
  export interface EmpMessage<P = Record<string, unknown>> {
    channel: string;
    data: { schema?: string; payload: P; event?: { replayId?: number; EventUuid?: string } };
  }
  export function subscribe<P = Record<string, unknown>>(
    channel: string,
    replayId: number,
    onMessage: (message: EmpMessage<P>) => void
  ): Promise<EmpSubscription>;
  export function unsubscribe(subscription: EmpSubscription, callback?: (response: unknown) => void): Promise<unknown>;
  export function onError(callback: (error: unknown) => void): void;
  export function setDebugFlag(flag: boolean): Promise<unknown>;
  export function isEmpEnabled(): Promise<boolean>;
}

declare module 'lightning/navigation' {
  export interface PageReference {
    type: string;
    attributes?: Record<string, unknown>;
    state?: Record<string, unknown>;
  }
  // The mixin adds [NavigationMixin.Navigate]/[NavigationMixin.GenerateUrl] methods; typed loosely on purpose.
  export const NavigationMixin: {
    <T extends new (...args: any[]) => object>(base: T): T;
    readonly Navigate: unique symbol;
    readonly GenerateUrl: unique symbol;
  };
  export const CurrentPageReference: any;
}

declare module 'lightning/pageReferenceUtils' {
  export function encodeDefaultFieldValues(values: Record<string, unknown>): string;
  export function decodeDefaultFieldValues(encoded: string): Record<string, string>;
}

declare module 'lightning/platformUtilityBarApi' {
  export const EnclosingUtilityId: any;
  export function updateUtility(utilityId: string, options: Record<string, unknown>): Promise<boolean>;
  export function getEnclosingUtilityId(): Promise<string>;
  export function getUtilityInfo(utilityId: string): Promise<Record<string, unknown>>;
  export function minimize(utilityId?: string): Promise<boolean>;
  export function open(utilityId?: string, options?: Record<string, unknown>): Promise<boolean>;
  export function setPanelHeaderLabel(utilityId: string, label: string): Promise<boolean>;
  export function setUtilityHighlighted(
    utilityId: string,
    highlighted: boolean,
    options?: Record<string, unknown>
  ): Promise<boolean>;
  export function setUtilityLabel(utilityId: string, label: string): Promise<boolean>;
  export function setUtilityIcon(utilityId: string, icon: string): Promise<boolean>;
  export function onUtilityClick(utilityId: string, callback: (event: unknown) => void): Promise<boolean>;
}

declare module 'lightning/platformWorkspaceApi' {
  export const IsConsoleNavigation: any;
  export const EnclosingTabId: any;
  export function openTab(options: Record<string, unknown>): Promise<string>;
  export function openSubtab(parentTabId: string, options: Record<string, unknown>): Promise<string>;
  export function focusTab(tabId: string): Promise<boolean>;
  export function closeTab(tabId: string): Promise<boolean>;
  export function getFocusedTabInfo(): Promise<Record<string, unknown>>;
  export function getTabInfo(tabId: string): Promise<Record<string, unknown>>;
  export function getAllTabInfo(): Promise<Record<string, unknown>[]>;
  export function refreshTab(tabId: string, options?: Record<string, unknown>): Promise<boolean>;
  export function setTabLabel(tabId: string, label: string): Promise<boolean>;
  export function setTabIcon(tabId: string, icon: string, options?: Record<string, unknown>): Promise<boolean>;
}

declare module 'lightning/messageService' {
  export const MessageContext: any;
  export const APPLICATION_SCOPE: symbol;
  export interface MessageSubscription {
    readonly subscription?: unknown;
  }
  export function publish(context: unknown, channel: unknown, message?: Record<string, unknown>): void;
  export function subscribe(
    context: unknown,
    channel: unknown,
    listener: (message: any) => void,
    options?: { scope?: symbol }
  ): MessageSubscription;
  export function unsubscribe(subscription: MessageSubscription | null | undefined): void;
  export function createMessageContext(): unknown;
  export function releaseMessageContext(context: unknown): void;
}

declare module 'lightning/platformShowToastEvent' {
  export class ShowToastEvent extends CustomEvent<unknown> {
    constructor(init: { title?: string; message?: string; variant?: string; mode?: string; messageData?: unknown[] });
  }
}

declare module 'lightning/uiRecordApi' {
  export const getRecord: any;
  export const getFieldValue: (record: unknown, field: unknown) => any;
  export const updateRecord: (input: Record<string, unknown>) => Promise<any>;
  export const createRecord: (input: Record<string, unknown>) => Promise<any>;
  export const notifyRecordUpdateAvailable: (items: { recordId: string }[]) => Promise<unknown>;
}

declare module '@salesforce/apex' {
  export function refreshApex(wiredValue: unknown): Promise<unknown>;
}

declare module '@salesforce/apex/*' {
  // Imperative call and @wire adapter in one; parameters are the Apex method's named arguments.
  interface ApexMethod {
    (params?: Record<string, unknown>): Promise<any>;
    new (dataCallback: (value: any) => void): {
      connect(): void;
      disconnect(): void;
      update(config: any, context?: any): void;
    };
  }
  const apexMethod: ApexMethod;
  export default apexMethod;
}

declare module '@salesforce/schema/*' {
  const schemaRef: { objectApiName: string; fieldApiName?: string };
  export default schemaRef;
}

declare module '@salesforce/label/*' {
  const label: string;
  export default label;
}

declare module '@salesforce/messageChannel/*' {
  const channel: { readonly channelName?: string };
  export default channel;
}

declare module '@salesforce/customPermission/*' {
  const hasPermission: boolean | undefined;
  export default hasPermission;
}

declare module '@salesforce/resourceUrl/*' {
  const url: string;
  export default url;
}
