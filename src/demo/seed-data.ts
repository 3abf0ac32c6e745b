export const GENRES: ReadonlyArray<readonly [string, string]> = [
  ["Fantasy", "Invented worlds, magic and quests."],
  ["Science Fiction", "Futures, technology and space."],
  ["Mystery", "Crimes, clues and detectives."],
  ["Thriller", "Suspense and high stakes."],
  ["Romance", "Love stories."],
  ["Historical Fiction", "Stories set in the past."],
  ["Horror", "Fear and the uncanny."],
  ["Literary Fiction", "Character-driven, style-conscious novels."],
  ["Poetry", "Verse in every form."],
  ["Biography", "Lives of real people."],
  ["History", "Non-fiction about the past."],
  ["Science", "Popular science and nature."],
  ["Philosophy", "Ideas, ethics and argument."],
  ["Travel", "Places and journeys."],
  ["Cookery", "Recipes and food writing."],
  ["Children's", "Books for young readers."],
  ["Young Adult", "Fiction for teenagers."],
  ["Graphic Novel", "Comics and sequential art."],
  ["Business", "Work, money and management."],
  ["Self-Help", "Advice and personal growth."],
];

export const FIRST_NAMES = [
  "Ada", "Alan", "Amara", "Anton", "Beatrix", "Bruno", "Carmen", "Chidi", "Clara", "Dmitri", "Elena", "Emeka",
  "Farah", "Felix", "Greta", "Hana", "Hugo", "Ines", "Isaac", "Jonas", "Kaito", "Lena", "Leo", "Lucia", "Malik",
  "Marta", "Nadia", "Nils", "Olga", "Omar", "Paula", "Pedro", "Priya", "Quentin", "Rosa", "Rui", "Sofia", "Tariq",
  "Thea", "Tomas", "Uma", "Victor", "Wanda", "Xavier", "Yara", "Yusuf", "Zoe", "Ingrid", "Mateo", "Noor",
];

export const LAST_NAMES = [
  "Abara", "Berg", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen", "Kowalski",
  "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Varga", "Weber",
  "Xu", "Yilmaz", "Zimmer", "Alvarez", "Brennan", "Costa", "Dlamini", "Engel", "Ferreira", "Gupta", "Horvat",
  "Ibrahim", "Jovanovic", "Kim", "Lindqvist", "Mensah", "Novak", "Ortiz", "Park", "Ramos", "Sato", "Torres",
  "Urban", "Vogel", "Walsh", "Young", "Zhang",
];

export const TITLE_ADJECTIVES = [
  "Silent", "Hidden", "Broken", "Golden", "Last", "Lost", "Burning", "Quiet", "Distant", "Forgotten", "Secret",
  "Crimson", "Endless", "Hollow", "Wild", "Frozen", "Bright", "Dark", "Gentle", "Restless", "Shattered", "Little",
  "Northern", "Midnight", "Paper", "Glass", "Iron", "Salt", "Winter", "Summer",
];

export const TITLE_NOUNS = [
  "River", "Garden", "City", "Mountain", "Letter", "House", "Kingdom", "Sea", "Forest", "Island", "Bridge", "Clock",
  "Lantern", "Harbour", "Orchard", "Library", "Map", "Voyage", "Promise", "Storm", "Archive", "Crown", "Mirror",
  "Engine", "Season", "Door", "Compass", "Choir", "Theory", "Atlas",
];

export const DEMO_USERS = [
  { email: "admin@example.com", password: "admin", name: "Ada Admin", role: "ADMIN" },
  { email: "editor@example.com", password: "editor", name: "Ed Editor", role: "EDITOR" },
  { email: "viewer@example.com", password: "viewer", name: "Vi Viewer", role: "VIEWER" },
  { email: "ops@example.com", password: "ops", name: "Oz Ops", role: "OPS" },
] as const;
