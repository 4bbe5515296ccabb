import { Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeviceView, IpcError, PushEventView, PushHistoryEntry, PushResultView, RequestOf } from '../../../shared/contract.js';
import { call } from '../api.js';
import { useBundlePick } from '../bundle-pick.js';
import { isTrusted, trustsCertificate } from '../device-request.js';
import { BundlePicker } from '../components/BundlePicker.js';
import { BusyButton } from '../components/BusyButton.js';
import { CertificatePanel } from '../components/CertificatePanel.js';
import { DeviceForm } from '../components/DeviceForm.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { HostKeyPanel } from '../components/HostKeyPanel.js';
import { PushCertIdField } from '../components/PushCertIdField.js';
import { certIdsUsed, pushCertIdError, suggestCertId } from '../../../shared/push-cert-id.js';
import { PushHistory } from '../components/PushHistory.js';
import { PushLog } from '../components/PushLog.js';
import { PushOutcome } from '../components/PushOutcome.js';
import { useSession } from '../SessionProvider.js';

const POLL_MS = 250;
const AUTH_TEXT: Record<DeviceView['auth'], string> = { password: 'password', 'key-file': 'key file', agent: 'SSH agent' };
const BIND_TEXT: Record<'rest' | 'web', string> = { rest: 'REST API', web: 'J-Web' };
const ROLE_TEXT: Record<'server' | 'ca' | 'tsa', string> = { server: 'its web interface certificate (role server)', ca: 'its internal CA certificate (role ca)', tsa: 'its timestamping certificate (role tsa)' };

const mono = (text: string): React.JSX.Element => <Text span ff="monospace" size="sm">{text}</Text>;

/** One line on what a push to this device does, in the device's own terms; `certId` is the Junos certificate-id of the next push. */
function DeviceSummary({ device, certId }: { device: DeviceView; certId: string | undefined }): React.JSX.Element {
  const login = <>{mono(`${device.user}@${device.host}:${device.port}`)}, logging in with {AUTH_TEXT[device.auth]}{device.auth === 'key-file' && device.identityFile ? ` (${device.identityFile})` : ''}</>;
  switch (device.target) {
    case 'apstra':
      return (
        <Text size="sm">
          Apstra at {login}{device.sudo ? '; reading and writing the nginx folder through sudo -n' : ''}; serving {mono(device.serverName ?? device.host)} on HTTPS port {device.httpsPort ?? 443}.
        </Text>
      );
    case 'junos': {
      const bind = device.bind ?? ['rest', 'web'];
      const ports = { rest: device.verifyPort ?? 3443, web: device.webPort ?? 443 };
      return (
        <Text size="sm">
          Junos at {login} (NETCONF); loads certificate-id {mono(certId || '?')}{device.caProfile ? <> with its CA in profile {mono(device.caProfile)}</> : null}, binds it
          to {bind.map((b) => `${BIND_TEXT[b]} (HTTPS ${ports[b]})`).join(' and ')} with commit confirmed {device.confirmMinutes ?? 5} min; serving {mono(device.serverName ?? device.host)}.
        </Text>
      );
    }
    case 'sps':
      return (
        <Text size="sm">
          SPS at {mono(`https://${device.host.includes(':') ? `[${device.host}]` : device.host}:${device.port}`)} as {mono(device.user)}, logging in with a password over HTTPS; replaces {ROLE_TEXT[device.role ?? 'server']}.
        </Text>
      );
  }
}

/** A push or dry run being followed (or just ended). */
interface Run {
  jobId: string;
  deviceId: string;
  dryRun: boolean;
  /** The inputs it ran for (see `inputsKey`). */
  for: string;
  events: PushEventView[];
  done: boolean;
  result?: PushResultView;
  error?: IpcError;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Push to a device: choose or add the device, trust its host key, pick key + certificate + chain,
 * show the plan (a dry run), push, and follow each step live; the result shows the fingerprints,
 * and the history lists every push made from here.
 */
export function PushScreen(): React.JSX.Element {
  const { items } = useSession();

  const [devices, setDevices] = useState<DeviceView[]>([]);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const [editing, setEditing] = useState<'new' | 'edit' | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deviceError, setDeviceError] = useState<IpcError | undefined>();
  const [history, setHistory] = useState<PushHistoryEntry[]>([]);
  const [historyError, setHistoryError] = useState<IpcError | undefined>();

  const pick = useBundlePick(items);
  const { key, cert, chainIds } = pick;

  // The Junos certificate-id typed (or suggested) for the next push to one device with one profile id; the profile's otherwise.
  const [certIdEdit, setCertIdEdit] = useState<{ for: string; value: string } | undefined>();

  const [run, setRun] = useState<Run | undefined>();
  const [planFor, setPlanFor] = useState<string | undefined>();
  const [startError, setStartError] = useState<IpcError | undefined>();
  // Which button's push:start is on its way: until it answers, neither button starts another (a double-click).
  const [starting, setStarting] = useState<'plan' | 'push' | undefined>();
  const startingNow = useRef(false);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const loadDevices = useCallback(async (select?: string): Promise<void> => {
    const r = await call('devices:list', {});
    if (!r.ok) return setDeviceError(r.error);
    setDevices(r.value);
    setDeviceId((cur) => {
      const want = select ?? cur;
      return r.value.some((d) => d.id === want) ? want : (r.value[0]?.id ?? null);
    });
  }, []);
  const loadHistory = useCallback(async (): Promise<void> => {
    const r = await call('push:history', {});
    if (!r.ok) return setHistoryError(r.error);
    setHistoryError(undefined);
    setHistory(r.value);
  }, []);
  useEffect(() => {
    void loadDevices();
    void loadHistory();
  }, [loadDevices, loadHistory]);

  const device = devices.find((d) => d.id === deviceId);
  // Another device, or the profile's Certificate ID edited: the field starts again from the profile's.
  const certIdFor = device?.target === 'junos' ? JSON.stringify([device.id, device.certId ?? '']) : undefined;
  const certIdValue = certIdFor === undefined ? undefined : certIdEdit?.for === certIdFor ? certIdEdit.value : (device?.certId ?? '');
  const junosCertId = certIdValue?.trim();
  const certIdErr = junosCertId === undefined ? undefined : pushCertIdError(junosCertId);
  const inputs: Omit<RequestOf<'push:start'>, 'dryRun'> | undefined = device && key && cert
    ? { deviceId: device.id, keyId: key.id, certId: cert.id, chainIds, ...(junosCertId !== undefined ? { junosCertId } : {}) }
    : undefined;
  // The device's last change is part of the inputs: a plan made before an edit (or a newly trusted key) is stale.
  const inputsKey = JSON.stringify({ ...inputs, updatedAt: device?.updatedAt });
  const running = run !== undefined && !run.done;
  const planShown = planFor === inputsKey;

  // Polls a job until it ends; answers its outcome (undefined when it ended without a result).
  const follow = async (jobId: string): Promise<PushResultView['outcome'] | undefined> => {
    let since = 0;
    for (;;) {
      const r = await call('push:status', { jobId, since });
      if (!alive.current) return undefined;
      if (!r.ok) {
        setRun((cur) => (cur?.jobId === jobId ? { ...cur, done: true, error: r.error } : cur));
        return undefined;
      }
      const s = r.value;
      since = s.next;
      setRun((cur) => (cur?.jobId === jobId ? {
        ...cur,
        events: [...cur.events, ...s.events],
        done: s.done,
        ...(s.result ? { result: s.result } : {}),
        ...(s.error ? { error: s.error } : {}),
      } : cur));
      if (s.done) return s.result?.outcome;
      await sleep(POLL_MS);
    }
  };

  const start = async (dryRun: boolean): Promise<void> => {
    // The ref, not the state: a second click can arrive before React re-renders the busy button.
    if (!inputs || startingNow.current) return;
    const forKey = inputsKey;
    setStartError(undefined);
    startingNow.current = true;
    setStarting(dryRun ? 'plan' : 'push');
    const r = await call('push:start', { ...inputs, dryRun });
    startingNow.current = false;
    setStarting(undefined);
    if (!r.ok) return setStartError(r.error);
    setRun({ jobId: r.value.jobId, deviceId: inputs.deviceId, dryRun, for: forKey, events: [], done: false });
    const outcome = await follow(r.value.jobId);
    if (!alive.current) return;
    if (!dryRun && outcome === 'pushed' && device && certIdFor !== undefined && inputs.junosCertId !== undefined) {
      // The id is in the device's PKI store now: the next push needs another, so one is suggested.
      const taken = new Set([inputs.junosCertId, ...certIdsUsed(history, device).map((e) => e.certId ?? '')]);
      setCertIdEdit({ for: certIdFor, value: suggestCertId(device.certId || inputs.junosCertId, taken, new Date()) });
    }
    if (!dryRun) {
      // A push uses its plan up: the next one starts with a fresh look at the device.
      setPlanFor(undefined);
      void loadHistory();
      // A verified SPS push makes the new certificate the trusted one: the profile changed.
      void loadDevices();
    }
  };

  // A dry run that ended with a plan unlocks Push for exactly those inputs.
  useEffect(() => {
    if (run?.done && run.dryRun && run.result?.outcome === 'planned') setPlanFor(run.for);
  }, [run]);

  const cancel = async (): Promise<void> => {
    if (!run) return;
    const r = await call('push:cancel', { jobId: run.jobId });
    if (!r.ok) setStartError(r.error);
  };

  const remove = async (): Promise<void> => {
    if (!device) return;
    setDeviceError(undefined);
    const r = await call('devices:delete', { id: device.id });
    setConfirmDelete(false);
    if (!r.ok) return setDeviceError(r.error);
    await loadDevices();
  };

  // A push's result stays with its device even when the push changed the profile (SPS: the new certificate is now trusted).
  const shownRun = run && (run.for === inputsKey || running || (!run.dryRun && run.deviceId === deviceId)) ? run : undefined;
  const noPin = device !== undefined && !isTrusted(device);

  return (
    <Stack gap="lg">
      <Card withBorder padding="lg" radius="md">
        <Stack gap="md">
          <Title order={3}>Device</Title>
          <Group align="flex-end">
            <Select
              label="Device"
              data={devices.map((d) => ({ value: d.id, label: `${d.name} — ${d.user}@${d.host}:${d.port}` }))}
              value={deviceId}
              onChange={(v) => { setDeviceId(v); setEditing(undefined); setConfirmDelete(false); }}
              allowDeselect={false}
              placeholder={devices.length === 0 ? 'No device saved yet' : 'Choose a device'}
              w={420}
              disabled={running}
            />
            <Button variant="default" onClick={() => { setEditing('new'); setConfirmDelete(false); }} disabled={running}>Add device</Button>
            {device && <Button variant="default" onClick={() => { setEditing('edit'); setConfirmDelete(false); }} disabled={running}>Edit device</Button>}
            {device && !confirmDelete && <Button variant="default" color="red" onClick={() => setConfirmDelete(true)} disabled={running}>Delete device</Button>}
          </Group>
          {device && confirmDelete && (
            <Group>
              <Text size="sm">Delete {device.name} and its saved password or passphrase? The push history keeps its past pushes.</Text>
              <Button color="red" onClick={() => void remove()}>Yes, delete {device.name}</Button>
              <Button variant="default" onClick={() => setConfirmDelete(false)}>Keep it</Button>
            </Group>
          )}
          {deviceError && <ErrorAlert error={deviceError} onClose={() => setDeviceError(undefined)} />}
          {device && !editing && (
            <Stack gap="sm">
              <DeviceSummary device={device} certId={junosCertId} />
              {trustsCertificate(device)
                ? <CertificatePanel device={device} onChanged={(d) => void loadDevices(d.id)} />
                : <HostKeyPanel device={device} onChanged={(d) => void loadDevices(d.id)} />}
            </Stack>
          )}
        </Stack>
      </Card>

      {editing && (
        <DeviceForm
          key={editing === 'new' ? 'new' : device?.id}
          {...(editing === 'edit' && device ? { device } : {})}
          onSaved={(d) => { setEditing(undefined); void loadDevices(d.id); }}
          onClose={() => setEditing(undefined)}
        />
      )}

      <BundlePicker pick={pick} cols={3} chainDescription="Intermediates first, then the root" disabled={running}>
        {noPin && (trustsCertificate(device)
          ? <Text size="sm" c="orange">Trust {device.name}&apos;s certificate first (Check certificate above).</Text>
          : <Text size="sm" c="orange">Trust {device.name}&apos;s host key first (Check host key above).</Text>)}
        {device && certIdFor !== undefined && certIdValue !== undefined && (
          <PushCertIdField
            value={certIdValue}
            onChange={(value) => setCertIdEdit({ for: certIdFor, value })}
            profileId={device.certId}
            used={certIdsUsed(history, device)}
            disabled={running || starting !== undefined}
          />
        )}
        <Group>
          <BusyButton variant="default" onClick={() => void start(true)} busy={starting === 'plan' || (running && run?.dryRun === true)} disabled={!inputs || noPin || certIdErr !== undefined || starting === 'push' || (running && run?.dryRun === false)}>Show plan</BusyButton>
          <BusyButton onClick={() => void start(false)} busy={starting === 'push' || (running && run?.dryRun === false)} disabled={!inputs || !planShown || noPin || certIdErr !== undefined || starting === 'plan' || (running && run?.dryRun === true)}>Push</BusyButton>
          {running && <Button color="red" variant="light" onClick={() => void cancel()}>Cancel</Button>}
        </Group>
        {inputs && !planShown && !running && !noPin && <Text size="sm" c="dimmed">Push is available once the plan for these choices{junosCertId !== undefined ? ' and this certificate ID' : ''} was shown.</Text>}
        {startError && <ErrorAlert error={startError} title={startError.code === 'refused' ? 'Refused' : undefined} />}
      </BundlePicker>

      {shownRun && (
        <Card withBorder padding="lg" radius="md" component="section" aria-label={shownRun.dryRun ? 'Plan' : 'Push'}>
          <Stack gap="md">
            <Title order={3}>{shownRun.dryRun ? 'Plan (dry run)' : 'Push'}</Title>
            <PushLog events={shownRun.events} done={shownRun.done} failed={shownRun.error !== undefined || (shownRun.result !== undefined && shownRun.result.outcome !== 'pushed' && shownRun.result.outcome !== 'planned')} />
            {shownRun.result && <PushOutcome result={shownRun.result} />}
            {shownRun.result?.error && <ErrorAlert error={shownRun.result.error} title={shownRun.result.error.code === 'cancelled' ? 'Cancelled' : `Why the ${shownRun.dryRun ? 'dry run' : 'push'} stopped`} />}
            {shownRun.error && <ErrorAlert error={shownRun.error} title={shownRun.error.code === 'refused' ? 'Refused' : undefined} />}
          </Stack>
        </Card>
      )}

      <Card withBorder padding="lg" radius="md">
        <Stack gap="md">
          <Title order={3}>History</Title>
          {historyError && <ErrorAlert error={historyError} />}
          <PushHistory entries={history} />
        </Stack>
      </Card>
    </Stack>
  );
}
