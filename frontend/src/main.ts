import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { router } from './router';
import { createAppI18n } from './i18n';
import { connectApiSession } from './session';
import './styles/main.css';

const app = createApp(App);
app.use(createPinia());
app.use(router);
connectApiSession(router);
app.use(createAppI18n());
app.mount('#app');
