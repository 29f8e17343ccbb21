import { createApp } from 'vue';
import 'element-plus/theme-chalk/base.css';
import App from './App.vue';
import { router } from './router';
import './desk.css';

// Each view imports the Element Plus components it uses, so the first screen loads only what the login needs.
createApp(App).use(router).mount('#app');
