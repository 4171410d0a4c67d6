// The demo data set of `npm run seed`: a small Spanish agency selling web and marketing
// services to customers in Spain and Russian-speaking customers, so names, PDFs and search
// show accents and Cyrillic. Amounts are integer cents (EUR).

export const demoUsers = [
  { role: 'supervisor', name: 'Sofía Castro', slug: 'supervisora' },
  { role: 'agent', name: 'Alicia Vega', slug: 'agente' },
  { role: 'marketer', name: 'Marta Ruiz', slug: 'marketing' },
  { role: 'manager', name: 'Manuel Ortiz', slug: 'gerente' },
] as const;

export const demoServices = [
  { key: 'consulta', name: 'Consulta inicial', description: 'Reunión de diagnóstico de 60 minutos.', price: 6_000 },
  {
    key: 'web',
    name: 'Diseño web corporativo',
    description: 'Sitio de hasta 8 páginas, adaptable a móvil.',
    price: 180_000,
  },
  {
    key: 'mant',
    name: 'Mantenimiento mensual',
    description: 'Actualizaciones, copias de seguridad y soporte.',
    price: 9_900,
  },
  {
    key: 'redes',
    name: 'Gestión de redes sociales',
    description: 'Instagram y Facebook, 12 publicaciones al mes.',
    price: 45_000,
  },
  {
    key: 'seo',
    name: 'Auditoría SEO',
    description: 'Informe técnico y de contenidos con plan de acción.',
    price: 65_000,
  },
  {
    key: 'traduccion',
    name: 'Перевод сайта на русский',
    description: 'Traducción y maquetación de la versión rusa.',
    price: 38_000,
  },
  {
    key: 'logo',
    name: 'Diseño de logotipo',
    description: 'Tres propuestas y manual básico.',
    price: 35_000,
    active: false,
  },
] as const;
export type ServiceKey = (typeof demoServices)[number]['key'];

export const demoCampaigns = [
  {
    key: 'ctwa',
    name: 'Verano — anuncios Click to WhatsApp',
    channel: 'whatsapp',
    source: 'Meta Ads',
    budget: 60_000,
    days: [-60, 30],
    adIds: ['120210000000101', '120210000000102'],
    landingUrl: 'https://wa.me/34910000000',
  },
  {
    key: 'google',
    name: 'Google Ads — búsqueda de marca',
    channel: 'google',
    source: 'Google Ads',
    budget: 40_000,
    days: [-90, -10],
  },
  {
    key: 'insta',
    name: 'Instagram Stories otoño',
    channel: 'instagram',
    source: 'Meta Ads',
    budget: 25_000,
    days: [-20, 40],
  },
  {
    key: 'mme',
    name: 'Enlace m.me del boletín',
    channel: 'messenger',
    source: 'Boletín',
    budget: 0,
    days: [-30, null],
    refCode: 'boletin-otono',
  },
] as const;
export type CampaignKey = (typeof demoCampaigns)[number]['key'];

export interface DemoContact {
  key: string;
  name: string;
  phone: string;
  email?: string;
  kind?: 'person' | 'company';
  category?: 'low' | 'medium' | 'high' | 'vip';
  country: string;
  address?: string;
  tags?: string[];
}

export const demoContacts: DemoContact[] = [
  {
    key: 'maria',
    name: 'María García López',
    phone: '+34612345001',
    email: 'maria.garcia@example.com',
    category: 'vip',
    country: 'ES',
    address: 'Calle Mayor 12, Madrid',
    tags: ['web'],
  },
  {
    key: 'jose',
    name: 'José Antonio Martínez',
    phone: '+34612345002',
    email: 'ja.martinez@example.com',
    category: 'high',
    country: 'ES',
    tags: ['seo'],
  },
  { key: 'lucia', name: 'Lucía Fernández Ruiz', phone: '+34612345003', category: 'medium', country: 'ES' },
  {
    key: 'javier',
    name: 'Javier Sánchez Moreno',
    phone: '+34612345004',
    email: 'javier@example.com',
    category: 'medium',
    country: 'ES',
  },
  { key: 'carmen', name: 'Carmen Jiménez', phone: '+34612345005', category: 'low', country: 'ES' },
  {
    key: 'pablo',
    name: 'Pablo Hernández Díaz',
    phone: '+34612345006',
    category: 'medium',
    country: 'ES',
    tags: ['redes'],
  },
  {
    key: 'anabelen',
    name: 'Ana Belén Ortega',
    phone: '+34612345007',
    email: 'anabelen@example.com',
    category: 'high',
    country: 'ES',
  },
  {
    key: 'inigo',
    name: 'Íñigo Etxeberria',
    phone: '+34612345008',
    category: 'low',
    country: 'ES',
    address: 'Kale Nagusia 3, Bilbao',
  },
  { key: 'nuria', name: 'Nuria Castaño Ibáñez', phone: '+34612345009', category: 'medium', country: 'ES' },
  {
    key: 'panaderia',
    name: 'Panadería El Trigal S.L.',
    phone: '+34912345010',
    email: 'hola@eltrigal.example',
    kind: 'company',
    category: 'high',
    country: 'ES',
    address: 'Av. de la Constitución 45, Sevilla',
  },
  {
    key: 'ivan',
    name: 'Иван Петров',
    phone: '+79123450011',
    email: 'ivan.petrov@example.com',
    category: 'vip',
    country: 'RU',
    tags: ['ruso'],
  },
  { key: 'anna', name: 'Анна Смирнова', phone: '+79123450012', category: 'high', country: 'RU', tags: ['ruso'] },
  { key: 'dmitri', name: 'Дмитрий Соколов', phone: '+79123450013', category: 'medium', country: 'RU' },
  {
    key: 'olga',
    name: 'Ольга Кузнецова',
    phone: '+79123450014',
    email: 'olga.k@example.com',
    category: 'medium',
    country: 'RU',
  },
  { key: 'sergei', name: 'Сергей Волков', phone: '+79123450015', category: 'low', country: 'RU' },
  { key: 'natalia', name: 'Наталья Морозова', phone: '+79123450016', category: 'medium', country: 'RU' },
  {
    key: 'ooo',
    name: 'ООО «Северный ветер»',
    phone: '+74951234517',
    email: 'info@sever.example',
    kind: 'company',
    category: 'high',
    country: 'RU',
    address: 'ул. Тверская 7, Москва',
  },
  { key: 'raul', name: 'Raúl Domínguez', phone: '+34612345018', category: 'low', country: 'ES' },
];

/**
 * Sales leads and how far each one got. stage: index in the Sales funnel (0 initial chat …
 * 3 closing). quote: its lines and the status it reaches; deal: contract/invoice/payments.
 */
export interface DemoDeal {
  contact: string;
  source: 'whatsapp' | 'messenger' | 'telegram' | 'instagram' | 'web' | 'manual';
  campaign?: CampaignKey;
  status: 'new' | 'contacted' | 'quoted' | 'negotiation' | 'won' | 'lost';
  stage: number;
  assignToAgent?: boolean;
  quote?: {
    lines: { service: ServiceKey; quantity: number; discountBp?: number; taxRateBp?: number }[];
    status: 'draft' | 'sent' | 'accepted' | 'rejected';
  };
  contract?: 'draft' | 'signed';
  /** Payments in cents; 'rest' pays the balance. Invoice issued `issuedDaysAgo` days ago, due 30 days later. */
  invoice?: { issuedDaysAgo: number; payments: (number | 'rest')[] };
  convert?: boolean;
}

const IVA = 2100;

export const demoDeals: DemoDeal[] = [
  {
    contact: 'maria',
    source: 'whatsapp',
    campaign: 'ctwa',
    status: 'won',
    stage: 3,
    quote: {
      lines: [
        { service: 'web', quantity: 1, taxRateBp: IVA },
        { service: 'mant', quantity: 12, discountBp: 1500, taxRateBp: IVA },
      ],
      status: 'accepted',
    },
    contract: 'signed',
    invoice: { issuedDaysAgo: 20, payments: [100_000, 'rest'] },
    convert: true,
  },
  {
    contact: 'ivan',
    source: 'telegram',
    status: 'won',
    stage: 3,
    quote: {
      lines: [
        { service: 'traduccion', quantity: 1, taxRateBp: IVA },
        { service: 'seo', quantity: 1, discountBp: 1000, taxRateBp: IVA },
      ],
      status: 'accepted',
    },
    contract: 'signed',
    invoice: { issuedDaysAgo: 10, payments: [50_000] },
    convert: true,
  },
  {
    contact: 'panaderia',
    source: 'web',
    campaign: 'google',
    status: 'won',
    stage: 3,
    quote: { lines: [{ service: 'redes', quantity: 3, taxRateBp: IVA }], status: 'accepted' },
    contract: 'signed',
    invoice: { issuedDaysAgo: 50, payments: [] },
    convert: true,
  },
  {
    contact: 'ooo',
    source: 'messenger',
    campaign: 'mme',
    status: 'won',
    stage: 3,
    quote: {
      lines: [
        { service: 'consulta', quantity: 2, taxRateBp: IVA },
        { service: 'seo', quantity: 1, taxRateBp: IVA },
      ],
      status: 'accepted',
    },
    invoice: { issuedDaysAgo: 5, payments: ['rest'] },
    convert: true,
  },
  {
    contact: 'jose',
    source: 'whatsapp',
    campaign: 'ctwa',
    status: 'negotiation',
    stage: 2,
    assignToAgent: true,
    quote: { lines: [{ service: 'seo', quantity: 1, taxRateBp: IVA }], status: 'accepted' },
    contract: 'draft',
  },
  {
    contact: 'anna',
    source: 'instagram',
    campaign: 'insta',
    status: 'quoted',
    stage: 1,
    quote: { lines: [{ service: 'redes', quantity: 6, discountBp: 1000, taxRateBp: IVA }], status: 'sent' },
  },
  {
    contact: 'anabelen',
    source: 'whatsapp',
    campaign: 'ctwa',
    status: 'quoted',
    stage: 1,
    assignToAgent: true,
    quote: { lines: [{ service: 'web', quantity: 1, discountBp: 500, taxRateBp: IVA }], status: 'sent' },
  },
  {
    contact: 'dmitri',
    source: 'telegram',
    status: 'contacted',
    stage: 1,
    quote: { lines: [{ service: 'consulta', quantity: 1, taxRateBp: IVA }], status: 'draft' },
  },
  {
    contact: 'javier',
    source: 'web',
    campaign: 'google',
    status: 'lost',
    stage: 2,
    quote: { lines: [{ service: 'web', quantity: 1, taxRateBp: IVA }], status: 'rejected' },
  },
  { contact: 'pablo', source: 'instagram', campaign: 'insta', status: 'new', stage: 0, assignToAgent: true },
  { contact: 'olga', source: 'whatsapp', campaign: 'ctwa', status: 'contacted', stage: 0 },
  { contact: 'carmen', source: 'manual', status: 'new', stage: 0 },
  { contact: 'sergei', source: 'telegram', status: 'contacted', stage: 1, assignToAgent: true },
  { contact: 'inigo', source: 'web', campaign: 'google', status: 'new', stage: 0 },
];

/** Support cases ("consultas"): questions from existing and new customers. */
export const demoConsultations = [
  { contact: 'maria', notes: '¿Cómo cambio la foto de la portada de la web?', resolved: false },
  { contact: 'ivan', notes: 'Вопрос по счёту: можно оплатить двумя частями?', resolved: true },
  { contact: 'nuria', notes: '¿Hacéis tiendas online con pago con Bizum?', resolved: false },
  { contact: 'natalia', notes: 'Какие сроки перевода сайта?', resolved: true },
  { contact: 'raul', notes: 'Factura duplicada por error, ¿podéis revisarla?', resolved: false },
] as const;
