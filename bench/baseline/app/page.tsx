export default function Page() {
  return (
    <main>
      <h1>Baseline</h1>
      <p>A static page.</p>
    </main>
  )
}
