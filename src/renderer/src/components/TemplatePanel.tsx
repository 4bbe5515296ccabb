import { Button, Group, Modal, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { IpcError, ResponseOf, TemplateInfo } from '../../../shared/contract.js';
import { call } from '../api.js';
import { ErrorAlert } from './ErrorAlert.js';

/** A parsed template, as `templates:parse` returns it. */
export type ParsedTemplate = NonNullable<ResponseOf<'templates:parse'>['template']>;

/**
 * SAN templates (KB37299-style OpenSSL configs): pick a shipped or saved one, import a .cnf, fill its
 * {{placeholders}}, save the text for reuse. Every complete parse is handed to `onApply`.
 */
export function TemplatePanel({ onApply, fallbackText }: {
  onApply: (t: ParsedTemplate, name: string) => void;
  /** What "Save as template…" saves when no template text is loaded: the form's OpenSSL config. */
  fallbackText: string | undefined;
}): React.JSX.Element {
  const [templates, setTemplates] = useState<TemplateInfo[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [variables, setVariables] = useState<string[]>([]);
  const [vars, setVars] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const [applied, setApplied] = useState('');
  const [error, setError] = useState<IpcError | undefined>();
  const [parseError, setParseError] = useState<IpcError | undefined>();
  const [saveOpen, setSaveOpen] = useState(false);
  const [saveName, setSaveName] = useState('');
  const [saveError, setSaveError] = useState<IpcError | undefined>();
  const [status, setStatus] = useState('');

  const refresh = useCallback(async (): Promise<void> => {
    const r = await call('templates:list', {});
    if (r.ok) setTemplates(r.value);
    else setError(r.error);
  }, []);
  useEffect(() => { void refresh(); }, [refresh]);

  const load = (t: { name: string; text: string; variables: string[] }): void => {
    setName(t.name);
    setText(t.text);
    setVariables(t.variables);
    setApplied('');
    setParseError(undefined);
  };

  const choose = async (id: string | null): Promise<void> => {
    setSelected(id);
    setError(undefined);
    setStatus('');
    if (!id) {
      // Clearing the choice drops the template; the form keeps what it was filled with.
      load({ name: '', text: '', variables: [] });
      return;
    }
    const r = await call('templates:read', { id });
    if (!r.ok) return setError(r.error);
    load(r.value);
  };

  const importCnf = async (): Promise<void> => {
    setError(undefined);
    setStatus('');
    const r = await call('templates:import', {});
    if (!r.ok) return setError(r.error);
    if (r.value.canceled || r.value.text === undefined) return;
    setSelected(null);
    load({ name: r.value.name ?? 'imported', text: r.value.text, variables: r.value.variables ?? [] });
    setStatus(`Imported ${r.value.name ?? 'the file'}; it is not saved as a template until you use "Save as template…".`);
  };

  // Read at parse time, so only a change of text or values starts a parse.
  const latest = useRef({ name, onApply });
  useEffect(() => { latest.current = { name, onApply }; });
  // Parse whenever the text or a placeholder value settles; a complete parse fills the form.
  // Serialised, so a re-render with the same text and values does not parse (and fill the form) again.
  const [pendingKey] = useDebouncedValue(JSON.stringify({ text, vars }), 300);
  useEffect(() => {
    const pending = JSON.parse(pendingKey) as { text: string; vars: Record<string, string> };
    if (pending.text.trim() === '') {
      setMissing([]);
      setParseError(undefined);
      return;
    }
    let live = true;
    const filled = Object.fromEntries(Object.entries(pending.vars).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
    void call('templates:parse', { text: pending.text, vars: filled }).then((r) => {
      if (!live) return;
      if (!r.ok) {
        setParseError(r.error);
        setApplied('');
        return;
      }
      setParseError(undefined);
      setVariables(r.value.variables);
      setMissing(r.value.missing);
      if (r.value.template && r.value.missing.length === 0) {
        const { name: current, onApply: apply } = latest.current;
        apply(r.value.template, current);
        setApplied(`Subject, SANs and key usage below come from ${current || 'the template'}.`);
      } else setApplied('');
    });
    return () => { live = false; };
  }, [pendingKey]);

  const saveText = text.trim() !== '' ? text : fallbackText;
  const saveTemplate = async (): Promise<void> => {
    if (!saveText) return;
    setSaveError(undefined);
    const r = await call('templates:save', { name: saveName.trim(), text: saveText });
    if (!r.ok) return setSaveError(r.error);
    setSaveOpen(false);
    await refresh();
    setSelected(r.value.id);
    setName(r.value.name);
    if (text.trim() === '') setText(saveText);
    setStatus(`Saved template ${r.value.name}.`);
  };

  const shipped = templates.filter((t) => t.source === 'shipped').map((t) => ({ value: t.id, label: t.name }));
  const savedT = templates.filter((t) => t.source === 'saved').map((t) => ({ value: t.id, label: t.name }));
  const data = [
    ...(shipped.length > 0 ? [{ group: 'Shipped', items: shipped }] : []),
    ...(savedT.length > 0 ? [{ group: 'Saved', items: savedT }] : []),
  ];

  return (
    <Stack gap="md">
      <Group align="flex-end" gap="md">
        <Select
          label="Template"
          placeholder={templates.length === 0 ? 'No templates found' : 'Choose a template'}
          data={data}
          value={selected}
          onChange={(v) => void choose(v)}
          clearable
          w={320}
        />
        <Button variant="default" onClick={() => void importCnf()}>Import template…</Button>
        <Button
          variant="default"
          disabled={!saveText}
          onClick={() => { setSaveName(name); setSaveError(undefined); setSaveOpen(true); }}
        >
          Save as template…
        </Button>
      </Group>
      {variables.length > 0 && (
        <Stack gap={4}>
          <Text size="sm" fw={500}>Placeholders</Text>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
            {variables.map((v) => (
              <TextInput
                key={v}
                label={v}
                value={vars[v] ?? ''}
                onChange={(e) => { const value = e.currentTarget.value; setVars((old) => ({ ...old, [v]: value })); }}
                autoComplete="off"
                spellCheck={false}
              />
            ))}
          </SimpleGrid>
          {missing.length > 0 && <Text size="sm" c="dimmed">Still to fill: {missing.join(', ')}.</Text>}
        </Stack>
      )}
      {(text !== '' || selected) && (
        <Textarea
          label="Template text"
          description="The OpenSSL config of the template; edit it here, then save it as a template for reuse"
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          autosize
          minRows={4}
          maxRows={16}
          spellCheck={false}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
        />
      )}
      {applied && <Text size="sm" role="status">{applied}</Text>}
      {status && <Text size="sm" role="status">{status}</Text>}
      {parseError && <ErrorAlert error={parseError} title="The template cannot be used" />}
      {error && <ErrorAlert error={error} onClose={() => setError(undefined)} />}

      <Modal opened={saveOpen} onClose={() => setSaveOpen(false)} title="Save as template">
        <Stack gap="md">
          <Text size="sm">
            {text.trim() !== '' ? 'Saves the template text above' : 'Saves the OpenSSL config of the current form'} in certbench's data folder, so it is listed under "Saved" next time.
          </Text>
          <TextInput
            label="Template name"
            value={saveName}
            onChange={(e) => setSaveName(e.currentTarget.value)}
            maxLength={100}
            data-autofocus
            onKeyDown={(e) => { if (e.key === 'Enter' && saveName.trim() !== '') void saveTemplate(); }}
          />
          {saveError && <ErrorAlert error={saveError} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setSaveOpen(false)}>Cancel</Button>
            <Button onClick={() => void saveTemplate()} disabled={saveName.trim() === ''}>Save template</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
