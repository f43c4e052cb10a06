import { reactive, ref, shallowRef } from 'vue';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  resendWebhookDelivery,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../api/admin';
import { ApiError } from '../api/http';
import {
  ALL_WEBHOOK_EVENTS,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type CreatedWebhookEndpoint,
  type CreateWebhookEndpointRequest,
  type UpdateWebhookEndpointRequest,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookEndpoint,
  type WebhookEventType,
  type WebhookEventTypeChoice,
} from '../api/types';
import { useConfirmAction } from './useConfirmAction';
import { usePagedList } from './usePagedList';

/** The API's limits (src/events/dto/webhook-endpoints.dto.ts). */
export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 200;

/** The endpoint form as typed. */
export interface EndpointForm {
  url: string;
  description: string;
  /** Every event type ('*'), also types added later; the single types ticked are then not sent. */
  allEvents: boolean;
  eventTypes: WebhookEventType[];
}

/**
 * The refusals of the endpoint form whose server message says what to fix
 * (the URL's reason, the unknown type, each invalid field): shown as the server words them.
 */
export const WEBHOOK_FORM_SERVER_CODES = ['VALIDATION_FAILED', 'WEBHOOK_ENDPOINT_URL_REFUSED', 'WEBHOOK_UNKNOWN_EVENT_TYPE'] as const;

export type EndpointProblem = 'urlRequired' | 'urlFormat' | 'urlLength' | 'eventTypesRequired' | 'descriptionLength';

export function emptyEndpointForm(): EndpointForm {
  return { url: '', description: '', allEvents: false, eventTypes: [] };
}

/** An endpoint as the edit form shows it. */
export function endpointToForm(endpoint: WebhookEndpoint): EndpointForm {
  const allEvents = endpoint.eventTypes.includes(ALL_WEBHOOK_EVENTS);
  return {
    url: endpoint.url,
    description: endpoint.description,
    allEvents,
    eventTypes: allEvents ? [] : endpoint.eventTypes.filter((ty): ty is WebhookEventType => ty !== ALL_WEBHOOK_EVENTS),
  };
}

/** Whether an endpoint gets every event type. */
export function getsAllEvents(endpoint: Pick<WebhookEndpoint, 'eventTypes'>): boolean {
  return endpoint.eventTypes.includes(ALL_WEBHOOK_EVENTS);
}

/** The translation key of an event type ("order.paid" → "order_paid": a dot would nest the message key). */
export function eventTypeKey(type: WebhookEventType): string {
  return type.replace(/\./g, '_');
}

/** The event types as sent: ['*'] for all of them, else the ones ticked, in the API's order. */
export function chosenEventTypes(form: EndpointForm): WebhookEventTypeChoice[] {
  if (form.allEvents) return [ALL_WEBHOOK_EVENTS];
  return WEBHOOK_EVENT_TYPES.filter((ty) => form.eventTypes.includes(ty));
}

/** An absolute http(s) URL. Whether it may be used (https in production, no private address) is the API's call. */
function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

export interface CheckedEndpoint {
  url: string;
  description: string;
  eventTypes: WebhookEventTypeChoice[];
}

/** Checks the form as the API will (the URL's address rules aside): the problems in field order, or the values to send, trimmed. */
export function validateEndpoint(form: EndpointForm): { problems: EndpointProblem[]; values: null } | { problems: []; values: CheckedEndpoint } {
  const problems: EndpointProblem[] = [];
  const url = form.url.trim();
  if (url === '') problems.push('urlRequired');
  else if (url.length > WEBHOOK_URL_MAX_LENGTH) problems.push('urlLength');
  else if (!isHttpUrl(url)) problems.push('urlFormat');
  const eventTypes = chosenEventTypes(form);
  if (eventTypes.length === 0) problems.push('eventTypesRequired');
  const description = form.description.trim();
  if (description.length > WEBHOOK_DESCRIPTION_MAX_LENGTH) problems.push('descriptionLength');
  if (problems.length > 0) return { problems, values: null };
  return { problems: [], values: { url, description, eventTypes } };
}

/** The new endpoint's request: a blank description is left out. */
export function createRequest(values: CheckedEndpoint): CreateWebhookEndpointRequest {
  const request: CreateWebhookEndpointRequest = { url: values.url, eventTypes: values.eventTypes };
  if (values.description !== '') request.description = values.description;
  return request;
}

/** An edit's request: only the fields that changed (empty: nothing to send). */
export function updateRequest(endpoint: WebhookEndpoint, values: CheckedEndpoint): UpdateWebhookEndpointRequest {
  const request: UpdateWebhookEndpointRequest = {};
  if (values.url !== endpoint.url) request.url = values.url;
  if (values.description !== endpoint.description) request.description = values.description;
  const before = [...endpoint.eventTypes].sort().join(',');
  if (values.eventTypes.slice().sort().join(',') !== before) request.eventTypes = values.eventTypes;
  return request;
}

/** The endpoint without its secret: what a list row may hold. */
function withoutSecret(created: CreatedWebhookEndpoint): WebhookEndpoint {
  const endpoint: Partial<CreatedWebhookEndpoint> = { ...created };
  delete endpoint.secret;
  return endpoint as WebhookEndpoint;
}

/** A secret the API answered once (a new endpoint's, or a rotated one), shown until dismissed. */
export interface ShownSecret {
  /** Tells two secrets of one endpoint apart (created, then rotated). */
  key: number;
  reason: 'created' | 'rotated';
  endpointId: string;
  url: string;
  secret: string;
}

const isNotFound = (err: unknown) => err instanceof ApiError && err.status === 404;

/**
 * The webhooks page: the endpoints (newest first, never paged: there are few),
 * the new-endpoint form, each secret the API answered (kept until the admin
 * dismisses it: it is never shown again), enable / disable, and rotating the
 * secret and deleting, each with a confirm step. A 404 (another admin deleted
 * the endpoint meanwhile) loads the list again; the error stays where it was asked.
 */
export function useWebhookEndpoints() {
  const endpoints = shallowRef<WebhookEndpoint[]>([]);
  const loading = ref(false);
  const loadError = ref<unknown>(null);
  let seq = 0;

  async function load(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    loadError.value = null;
    try {
      const answer = await listWebhookEndpoints();
      if (mine === seq) endpoints.value = answer;
    } catch (err) {
      if (mine === seq) loadError.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  function replace(endpoint: WebhookEndpoint): void {
    endpoints.value = endpoints.value.map((e) => (e.id === endpoint.id ? endpoint : e));
  }

  /** One endpoint again (its counts change as deliveries go out); a 404 loads the whole list. */
  async function refresh(id: string): Promise<void> {
    try {
      replace(await getWebhookEndpoint(id));
    } catch (err) {
      if (isNotFound(err)) await load();
    }
  }

  /** Newest first; each stays until dismissed. */
  const secrets = shallowRef<ShownSecret[]>([]);
  let secretSeq = 0;
  function showSecret(created: CreatedWebhookEndpoint, reason: ShownSecret['reason']): void {
    secrets.value = [{ key: ++secretSeq, reason, endpointId: created.id, url: created.url, secret: created.secret }, ...secrets.value];
  }
  function dismiss(key: number): void {
    secrets.value = secrets.value.filter((s) => s.key !== key);
  }

  const form = reactive<EndpointForm>(emptyEndpointForm());
  const problems = ref<EndpointProblem[]>([]);
  const formError = ref<unknown>(null);
  const submitting = ref(false);

  async function submit(): Promise<boolean> {
    if (submitting.value) return false;
    const checked = validateEndpoint(form);
    problems.value = checked.problems;
    formError.value = null;
    if (checked.values === null) return false;
    submitting.value = true;
    try {
      const created = await createWebhookEndpoint(createRequest(checked.values));
      showSecret(created, 'created');
      Object.assign(form, emptyEndpointForm());
      await load();
      return true;
    } catch (err) {
      formError.value = err;
      return false;
    } finally {
      submitting.value = false;
    }
  }

  /** The endpoint being switched on or off, and what went wrong last time. */
  const toggling = ref<string | null>(null);
  const toggleError = ref<unknown>(null);

  async function setEnabled(endpoint: WebhookEndpoint, enabled: boolean): Promise<boolean> {
    if (toggling.value !== null) return false;
    toggling.value = endpoint.id;
    toggleError.value = null;
    try {
      replace(await updateWebhookEndpoint(endpoint.id, { enabled }));
      return true;
    } catch (err) {
      toggleError.value = err;
      if (isNotFound(err)) void load();
      return false;
    } finally {
      toggling.value = null;
    }
  }

  const rotate = useConfirmAction<WebhookEndpoint>(async (endpoint) => {
    let rotated: CreatedWebhookEndpoint;
    try {
      rotated = await rotateWebhookSecret(endpoint.id);
    } catch (err) {
      if (isNotFound(err)) void load();
      throw err;
    }
    showSecret(rotated, 'rotated');
    replace(withoutSecret(rotated));
  });

  const remove = useConfirmAction<WebhookEndpoint>(async (endpoint) => {
    try {
      await deleteWebhookEndpoint(endpoint.id);
    } catch (err) {
      if (isNotFound(err)) void load();
      throw err;
    }
    endpoints.value = endpoints.value.filter((e) => e.id !== endpoint.id);
    // A deleted endpoint's secret signs nothing any more.
    secrets.value = secrets.value.filter((s) => s.endpointId !== endpoint.id);
  });

  return {
    endpoints,
    loading,
    loadError,
    load,
    replace,
    refresh,
    secrets,
    dismiss,
    form,
    problems,
    formError,
    submitting,
    submit,
    toggling,
    toggleError,
    setEnabled,
    rotate,
    remove,
  };
}

/**
 * Editing one endpoint: its URL, event types and description. Only what
 * changed is sent; nothing changed closes without a request. `onSaved` gets
 * the endpoint as the API answered it.
 */
export function useWebhookEndpointEdit(endpoint: () => WebhookEndpoint, onSaved: (endpoint: WebhookEndpoint | null) => void) {
  const form = reactive<EndpointForm>(endpointToForm(endpoint()));
  const problems = ref<EndpointProblem[]>([]);
  const error = ref<unknown>(null);
  const saving = ref(false);

  async function save(): Promise<boolean> {
    if (saving.value) return false;
    const checked = validateEndpoint(form);
    problems.value = checked.problems;
    error.value = null;
    if (checked.values === null) return false;
    const request = updateRequest(endpoint(), checked.values);
    if (Object.keys(request).length === 0) {
      onSaved(null);
      return true;
    }
    saving.value = true;
    try {
      onSaved(await updateWebhookEndpoint(endpoint().id, request));
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      saving.value = false;
    }
  }

  return { form, problems, error, saving, save };
}

/** Which deliveries the list shows: every one, or those of one status. */
export type DeliveryFilter = 'all' | WebhookDeliveryStatus;
export const DELIVERY_FILTERS: readonly DeliveryFilter[] = ['all', ...WEBHOOK_DELIVERY_STATUSES];

/**
 * One endpoint's deliveries, newest first, one page at a time, narrowed by
 * status; "resend" sends one again now (it is pending again), then the page
 * is loaded again and `onResent` is told (the endpoint's counts changed).
 */
export function useWebhookDeliveries(endpointId: () => string, onResent: (delivery: WebhookDelivery) => void = () => {}, pageSize = 20) {
  const filter = ref<DeliveryFilter>('all');
  const list = usePagedList(
    (page, size) =>
      listWebhookDeliveries(endpointId(), { status: filter.value === 'all' ? undefined : filter.value, page, pageSize: size }),
    pageSize,
  );

  function setFilter(next: DeliveryFilter): Promise<void> {
    filter.value = next;
    return list.load(1);
  }

  /** The delivery being resent; the last one resent (for a notice), and the last failure. */
  const resending = ref<string | null>(null);
  const resent = shallowRef<WebhookDelivery | null>(null);
  const resendError = ref<unknown>(null);

  async function resend(delivery: WebhookDelivery): Promise<boolean> {
    if (resending.value !== null) return false;
    resending.value = delivery.id;
    resent.value = null;
    resendError.value = null;
    try {
      const answer = await resendWebhookDelivery(endpointId(), delivery.id);
      resent.value = answer;
      onResent(answer);
      await list.load();
      return true;
    } catch (err) {
      resendError.value = err;
      if (isNotFound(err)) void list.load();
      return false;
    } finally {
      resending.value = null;
    }
  }

  return { ...list, filter, setFilter, resending, resent, resendError, resend };
}
