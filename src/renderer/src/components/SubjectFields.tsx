import { SimpleGrid, TextInput } from '@mantine/core';
import { SUBJECT_FIELDS, type SubjectValues } from '../csr-form.js';

// Inline checks for what OpenSSL and CAs reject outright; the core checks everything again on build.
function fieldError(type: string, value: string): string | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (type === 'C' && !/^[A-Za-z]{2}$/.test(v)) return 'Two letters, e.g. US';
  if (type === 'CN' && v.length > 64) return 'At most 64 characters';
  if (type === 'emailAddress' && !/^[^@\s]+@[^@\s]+$/.test(v)) return 'Not an e-mail address';
  return undefined;
}

/** The subject form: one labelled field per attribute (C, ST, L, O, OU, CN, emailAddress). */
export function SubjectFields({ value, onChange }: { value: SubjectValues; onChange: (v: SubjectValues) => void }): React.JSX.Element {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
      {SUBJECT_FIELDS.map((f) => (
        <TextInput
          key={f.type}
          label={f.type}
          description={f.hint}
          value={value[f.type]}
          error={fieldError(f.type, value[f.type])}
          onChange={(e) => onChange({ ...value, [f.type]: e.currentTarget.value })}
          autoComplete="off"
          spellCheck={false}
        />
      ))}
    </SimpleGrid>
  );
}
