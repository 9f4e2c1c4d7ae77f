"""Word in and out: a .docx checked at the zip level (`safety`), read into the editor's block
model with its metadata and history (`reading`, `parsed`), imported as a document with its
earlier versions (`importing`), and a version written back to .docx (`writing`)."""
