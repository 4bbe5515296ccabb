import { useEffect, useState } from 'react';

/** Placeholder workbench shell until the desktop issue builds the real flow. */
export function App(): React.JSX.Element {
  const [version, setVersion] = useState<string>('');
  useEffect(() => {
    window.certbench?.['app:info']({}).then((info) => setVersion(info.version), () => setVersion(''));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>certbench {version}</h1>
      <p>Keys, CSRs, inspect and match. The workbench screens arrive with the desktop issue; the CLI (`npx certbench --help`) has every verb today.</p>
    </main>
  );
}
